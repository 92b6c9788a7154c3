// ATen bridge: zero-copy views, owning copies, add_tensor round trips for every dtype, the
// copy-on-write guarantee and the misaligned-file fallback, and the golden tensors.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "models/safetensors/torch_tensor.h"

namespace st = pevlm::safetensors;
namespace fs = std::filesystem;

namespace {

// Under one per-process folder, removed at exit.
fs::path temp_dir(const std::string& name) {
  static const struct Root {
    fs::path path = fs::temp_directory_path() / ("pevlm_st_torch_" + std::to_string(::getpid()));
    ~Root() { fs::remove_all(path); }
  } root;
  const fs::path dir = root.path / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// One tensor per supported dtype, with values that survive each dtype exactly.
std::vector<std::pair<std::string, at::Tensor>> sample_tensors() {
  at::manual_seed(0);
  const at::Tensor base = at::randint(-50, 50, {3, 5}, at::kLong);
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (at::ScalarType t : {at::kBFloat16, at::kHalf, at::kFloat, at::kDouble, at::kLong, at::kInt, at::kShort,
                           at::kChar})
    out.emplace_back(std::string("t_") + c10::toString(t), base.to(t));
  out.emplace_back("t_u8", (base + 50).to(at::kByte));
  out.emplace_back("t_bool", base.gt(0));
  out.emplace_back("t_float_random", at::randn({4, 2, 3}));
  return out;
}

TEST(SafetensorsTorch, AddTensorRoundTripEveryDtype) {
  const fs::path dir = temp_dir("roundtrip");
  st::SafetensorsWriter w;
  const auto tensors = sample_tensors();
  for (const auto& [name, t] : tensors) st::add_tensor(w, name, t);
  w.write((dir / "t.safetensors").string(), {{"format", "pt"}});
  const auto f = st::SafetensorsFile::open((dir / "t.safetensors").string());
  for (const auto& [name, t] : tensors) {
    const at::Tensor view = st::to_tensor(f.get(name));
    EXPECT_EQ(view.scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(at::equal(view, t)) << name;
    EXPECT_EQ(view.data_ptr(), static_cast<const void*>(f.get(name).data)) << name << ": not zero-copy";
    const at::Tensor copy = st::to_tensor_copy(f.get(name));
    EXPECT_TRUE(at::equal(copy, t)) << name;
    EXPECT_NE(copy.data_ptr(), static_cast<const void*>(f.get(name).data)) << name << ": copy shares memory";
  }
}

TEST(SafetensorsTorch, NonContiguousTensorIsWrittenInLogicalOrder) {
  const at::Tensor t_KN = at::arange(12, at::kFloat).reshape({3, 4}).t();  // [4, 3], strided
  st::SafetensorsWriter w;
  st::add_tensor(w, "t", t_KN);
  const fs::path dir = temp_dir("strided");
  w.write((dir / "t.safetensors").string());
  const auto f = st::SafetensorsFile::open((dir / "t.safetensors").string());
  EXPECT_EQ(f.get("t").shape, (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(at::equal(st::to_tensor(f.get("t")), t_KN));
}

TEST(SafetensorsTorch, InPlaceWriteOnZeroCopyViewNeverReachesTheFile) {
  const fs::path dir = temp_dir("cow");
  st::SafetensorsWriter w;
  st::add_tensor(w, "w", at::ones({8}));
  w.write((dir / "w.safetensors").string());
  {
    const auto f = st::SafetensorsFile::open((dir / "w.safetensors").string());
    at::Tensor view = st::to_tensor(f.get("w"));
    view.mul_(3.0);  // private copy-on-write pages: allowed, but invisible to the file
    EXPECT_EQ(view.sum().item<float>(), 24.0f);
  }
  const auto again = st::SafetensorsFile::open((dir / "w.safetensors").string());
  EXPECT_TRUE(at::equal(st::to_tensor(again.get("w")), at::ones({8})));
}

TEST(SafetensorsTorch, MisalignedDataFallsBackToCopy) {
  // A non-reference writer may leave the header unpadded: header of 61 bytes puts the F32 data
  // at file offset 69, not a multiple of 4.
  const fs::path path = temp_dir("misaligned") / "m.safetensors";
  std::string header = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append(61 - header.size(), ' ');
  const uint64_t len = header.size();
  const float data[2] = {1.5f, -2.0f};
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&len), 8);
    out << header;
    out.write(reinterpret_cast<const char*>(data), 8);
  }
  const auto f = st::SafetensorsFile::open(path.string());
  ASSERT_NE(reinterpret_cast<std::uintptr_t>(f.get("x").data) % 4, 0u);
  const at::Tensor t = st::to_tensor(f.get("x"));
  EXPECT_NE(t.data_ptr(), static_cast<const void*>(f.get("x").data));
  EXPECT_TRUE(at::equal(t, at::tensor({1.5f, -2.0f})));
}

TEST(SafetensorsTorch, UnsupportedDtypeNamesTheTensor) {
  st::SafetensorsWriter w;
  try {
    st::add_tensor(w, "z", at::zeros({2}, at::kComplexFloat));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'z'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(st::to_scalar_type(st::DType::BF16), at::kBFloat16);
  EXPECT_EQ(st::from_scalar_type(at::kBool), st::DType::BOOL);
}

TEST(SafetensorsTorch, GoldenTensors) {
  const fs::path dir = fs::path(PEVLM_SHARED_DIR) / "golden" / "qwen2_5_vl_tiny";
  if (!fs::exists(dir / "golden.safetensors")) GTEST_SKIP() << "golden tensors not present in " << dir;
  const auto ckpt = st::Checkpoint::open((dir / "golden.safetensors").string());
  EXPECT_TRUE(at::equal(st::to_tensor(ckpt.get("generated_ids")), at::tensor({89, 33, 89, 47, 89, 47, 9, 61}, at::kLong)));
  // README: rope_deltas = max(position) + 1 - L, checked from the stored positions.
  const at::Tensor pos_3L = st::to_tensor(ckpt.get("position_ids"));  // [3, 48]
  const int64_t delta = st::to_tensor(ckpt.get("rope_deltas")).item<int64_t>();
  EXPECT_EQ(delta, pos_3L.max().item<int64_t>() + 1 - pos_3L.size(1));
  EXPECT_EQ(delta, -31);
  const auto model = st::Checkpoint::open(dir.string());
  const at::Tensor embed_VD = st::to_tensor(model.get("model.embed_tokens.weight"));  // [160, 64]
  // inputs_embeds row 0 is the embedding of token input_ids[0] (a text token).
  const int64_t tok0 = st::to_tensor(ckpt.get("input_ids"))[0].item<int64_t>();
  EXPECT_TRUE(at::equal(st::to_tensor(ckpt.get("inputs_embeds"))[0], embed_VD[tok0]));
}

}  // namespace
