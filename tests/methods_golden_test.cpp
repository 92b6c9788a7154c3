// The method plans equal the reference masks and M-RoPE position ids of the transformers golden
// fixture (../shared/golden/qwen2_5_vl_tiny_methods, configurations A1-A8): same layout (5 text
// tokens, 3 frames of 3x4 merged tokens, 7 question tokens), exact equality.
#include <gtest/gtest.h>

#include <filesystem>

#include "methods/method_registry.h"
#include "models/safetensors/safetensors.h"

namespace pevlm {
namespace {

const std::filesystem::path kGolden = std::filesystem::path(PEVLM_SHARED_DIR) / "golden/qwen2_5_vl_tiny_methods/methods.safetensors";

TokenLayout golden_layout() { return make_synthetic_layout(SyntheticLayoutSpec{5, 3, 12, 7, true, 3, 4, 2}); }

TEST(MethodsGolden, MasksAndPositionsEqualTransformersFixture) {
  if (!std::filesystem::exists(kGolden)) GTEST_SKIP() << "golden fixture absent: " << kGolden;
  auto file = safetensors::SafetensorsFile::open(kGolden.string());
  const std::vector<std::pair<std::string, nlohmann::json>> configs = {
      {"A1", {{"name", "full"}}},
      {"A2", {{"name", "block_attention"}, {"block_tokens", 12}, {"positions", "retain"}}},
      {"A3", {{"name", "star"}, {"anchor_tokens", 17}, {"block_tokens", 17}, {"positions", "retain"}}},
      {"A4", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 1}}},
      {"A5", {{"name", "pevlm"}, {"sink_frames", 1}, {"block_frames", 2}}},
      {"A6", {{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 12}, {"positions", "retain"}}},
      {"A7", {{"name", "pevlm"}, {"sink_frames", 0}, {"block_frames", 2}}},
      {"A8", {{"name", "ape"}, {"prefix_tokens", 5}, {"block_tokens", 12}, {"positions", "reuse"}}},
  };
  const TokenLayout layout = golden_layout();
  ASSERT_EQ(layout.length, 48);
  for (const auto& [name, entry] : configs) {
    const AttentionPlan plan = build_plan(resolve_method(entry), layout);
    const auto& mask = file.get(name + ".mask");
    ASSERT_EQ(mask.shape, (std::vector<int64_t>{48, 48})) << name;
    const std::vector<uint8_t> got = plan.dense_mask();
    for (int64_t i = 0; i < 48 * 48; ++i)
      ASSERT_EQ(got[size_t(i)], uint8_t(mask.data[i])) << name << " " << entry.dump() << " query " << i / 48 << " key " << i % 48;
    const auto& pos = file.get(name + ".position_ids");
    ASSERT_EQ(pos.shape, (std::vector<int64_t>{3, 48})) << name;
    const auto* ids = reinterpret_cast<const int64_t*>(pos.data);
    for (int a = 0; a < 3; ++a)
      for (int64_t i = 0; i < 48; ++i) ASSERT_EQ(plan.positions.at(a, i), ids[a * 48 + i]) << name << " axis " << a << " token " << i;
  }
}

}  // namespace
}  // namespace pevlm
