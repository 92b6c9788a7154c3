// The estimators' selections equal the reference repositories' own code, exactly
// (scripts/golden/make_sparse_estimator_golden.py runs x-attention's xattn_estimate and MInference's
// vertical_and_slash_kernel on CPU; fixture tests/data/golden/sparse_estimators): planted-structure
// and random Q/K, odd lengths, GQA, x-attention's chunked path; then the executed per-head plans
// are checked against their definition (blocks -> intervals, slashes -> 64-key ranges).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "methods/sparse/sparse_estimator.h"
#include "models/safetensors/safetensors.h"

namespace pevlm {
namespace {

const std::filesystem::path kDir = std::filesystem::path(PEVLM_SOURCE_DIR) / "tests/data/golden/sparse_estimators";

at::Tensor load_f32(const safetensors::SafetensorsFile& f, const std::string& name) {
  const auto& t = f.get(name);
  std::vector<float> v = safetensors::to_f32_vector(t);
  return at::from_blob(v.data(), t.shape, at::kFloat).clone();
}

struct Fixture {
  safetensors::SafetensorsFile file;
  nlohmann::json cases;
};

std::optional<Fixture> open_fixture() {
  if (!std::filesystem::exists(kDir / "estimators.safetensors")) return std::nullopt;
  std::ifstream in(kDir / "cases.json");
  return Fixture{safetensors::SafetensorsFile::open((kDir / "estimators.safetensors").string()), nlohmann::json::parse(in)["cases"]};
}

TEST(SparseGolden, XAttentionBlocksEqualReference) {
  auto fx = open_fixture();
  ASSERT_TRUE(fx) << "golden fixture missing (it is part of the repository): " << kDir;
  int checked = 0;
  for (auto it = fx->cases.begin(); it != fx->cases.end(); ++it) {
    if (it.value()["method"] != "xattention") continue;
    const std::string name = it.key();
    const auto& c = it.value();
    at::Tensor q = load_f32(fx->file, name + ".q"), k = load_f32(fx->file, name + ".k");
    const int64_t L = q.size(0), hq = q.size(1), block = c["block_tokens"].get<int64_t>();
    const SparseEstimate est = xattention_estimate(q, k, block, c["stride"].get<int64_t>(), c["threshold"].get<double>(),
                                                   c["reference_chunk_size"].get<int64_t>());
    est.plan.validate();
    const auto& mask = fx->file.get(name + ".mask");
    const int64_t nb = (L + block - 1) / block;
    ASSERT_EQ(mask.shape, (std::vector<int64_t>{hq, nb, nb})) << name;
    const auto* m = reinterpret_cast<const uint8_t*>(mask.data);
    for (int64_t h = 0; h < hq; ++h)
      for (int64_t r = 0; r < nb; ++r)
        for (int64_t cb = 0; cb < nb; ++cb) {
          // Our plan keeps key block cb for query block r iff its first key is inside an interval.
          bool kept = false;
          for (const KeyInterval& ki : est.plan.keys(h, r)) kept |= ki.begin <= cb * block && cb * block < ki.end;
          ASSERT_EQ(kept, m[(h * nb + r) * nb + cb] != 0) << name << " head " << h << " query block " << r << " key block " << cb;
        }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(SparseGolden, VerticalSlashIndicesEqualReference) {
  auto fx = open_fixture();
  ASSERT_TRUE(fx) << "golden fixture missing (it is part of the repository): " << kDir;
  int checked = 0;
  for (auto it = fx->cases.begin(); it != fx->cases.end(); ++it) {
    if (it.value()["method"] != "vertical_slash") continue;
    const std::string name = it.key();
    const auto& c = it.value();
    at::Tensor q = load_f32(fx->file, name + ".q"), k = load_f32(fx->file, name + ".k");
    const VerticalSlashIndices got = vertical_slash_indices(q, k, c["vertical_size"].get<int64_t>(),
                                                            c["slash_size"].get<int64_t>(), c["last_q"].get<int64_t>());
    for (const char* what : {"vertical", "slash"}) {
      const auto& t = fx->file.get(name + "." + what);
      const auto* want = reinterpret_cast<const int64_t*>(t.data);
      const auto& mine = std::string(what) == "vertical" ? got.vertical : got.slash;
      ASSERT_EQ(int64_t(mine.size()), t.shape[0]) << name;
      for (int64_t h = 0; h < t.shape[0]; ++h) {
        ASSERT_EQ(int64_t(mine[size_t(h)].size()), t.shape[1]) << name << " " << what;
        for (int64_t j = 0; j < t.shape[1]; ++j)
          ASSERT_EQ(mine[size_t(h)][size_t(j)], want[h * t.shape[1] + j]) << name << " " << what << " head " << h << " #" << j;
      }
    }
    // The executed plan covers every kept diagonal and column for every query (and nothing after it).
    const SparseEstimate est = vertical_slash_estimate(q, k, c["vertical_size"].get<int64_t>(), c["slash_size"].get<int64_t>(),
                                                       c["last_q"].get<int64_t>());
    est.plan.validate();
    const int64_t L = q.size(0);
    for (int64_t h = 0; h < q.size(1); ++h) {
      std::vector<uint8_t> m = est.plan.dense_mask(h);
      for (int64_t i = 0; i < L; i += 37) {
        for (int64_t col : got.vertical[size_t(h)])
          if (col <= i) ASSERT_EQ(m[size_t(i * L + col)], 1) << name << " column " << col << " query " << i;
        for (int64_t off : got.slash[size_t(h)])
          if (off <= i) ASSERT_EQ(m[size_t(i * L + i - off)], 1) << name << " diagonal " << off << " query " << i;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

}  // namespace
}  // namespace pevlm
