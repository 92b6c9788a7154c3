// preprocessor_config.json (Qwen2VLImageProcessor): the released 7B file, the golden tiny file
// (transformers 4.50 writes both size{} and min/max_pixels), size-only and override precedence,
// and errors naming their key.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "models/qwen2_5_vl/config.h"

namespace q = pevlm::qwen2_5_vl;
namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(PEVLM_SHARED_DIR);

void expect_error(const std::string& text, const std::vector<std::string>& parts) {
  try {
    q::parse_preprocessor_config(text, "pp.json");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("pp.json"), std::string::npos) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg << "\nmissing: " << p;
    return;
  }
  ADD_FAILURE() << "no exception for " << text;
}

TEST(QwenPreprocessorConfig, Released7B) {
  const fs::path p = kShared / "data" / "qwen2.5-vl-7b-instruct" / "preprocessor_config.json";
  if (!fs::exists(p)) GTEST_SKIP() << "missing " << p;
  const auto c = q::load_preprocessor_config(p.string());
  EXPECT_EQ(c.min_pixels, 3136);
  EXPECT_EQ(c.max_pixels, 12845056);
  EXPECT_EQ(c.patch_size, 14);
  EXPECT_EQ(c.temporal_patch_size, 2);
  EXPECT_EQ(c.merge_size, 2);
  EXPECT_EQ(c.resize_factor(), 28);
  EXPECT_EQ(c.image_mean, (std::array<double, 3>{0.48145466, 0.4578275, 0.40821073}));
  EXPECT_EQ(c.image_std, (std::array<double, 3>{0.26862954, 0.26130258, 0.27577711}));
  EXPECT_DOUBLE_EQ(c.rescale_factor, 1.0 / 255.0);
}

TEST(QwenPreprocessorConfig, GoldenTinyFolder) {
  const fs::path dir = kShared / "golden" / "qwen2_5_vl_tiny";
  if (!fs::exists(dir / "preprocessor_config.json")) GTEST_SKIP() << "missing golden folder " << dir;
  const auto c = q::load_preprocessor_config(dir.string());
  EXPECT_EQ(c.min_pixels, 3136);
  EXPECT_EQ(c.max_pixels, 50176);
  EXPECT_EQ(c.rescale_factor, 0.00392156862745098);
  EXPECT_NE(c.source.find("preprocessor_config.json"), std::string::npos);
}

TEST(QwenPreprocessorConfig, SizeOnlyAndOverridePrecedence) {
  const auto size_only = q::parse_preprocessor_config(R"({"size": {"shortest_edge": 100, "longest_edge": 200}})", "a.json");
  EXPECT_EQ(size_only.min_pixels, 100);
  EXPECT_EQ(size_only.max_pixels, 200);
  // min_pixels / max_pixels override size (Qwen2VLImageProcessor.__init__).
  const auto both = q::parse_preprocessor_config(
      R"({"size": {"shortest_edge": 100, "longest_edge": 200}, "max_pixels": 5000})", "b.json");
  EXPECT_EQ(both.min_pixels, 100);
  EXPECT_EQ(both.max_pixels, 5000);
  const auto defaults = q::parse_preprocessor_config("{}", "c.json");
  EXPECT_EQ(defaults.min_pixels, 56 * 56);
  EXPECT_EQ(defaults.max_pixels, 28 * 28 * 1280);
}

TEST(QwenPreprocessorConfig, ErrorsNameTheirKey) {
  expect_error(R"({"min_pixels": 500, "max_pixels": 400})", {"'max_pixels'", "below min_pixels 500"});
  expect_error(R"({"min_pixels": 0})", {"'min_pixels'", "positive"});
  expect_error(R"({"image_mean": [0.5, 0.5]})", {"'image_mean'", "3 entries"});
  expect_error(R"({"image_std": [0.5, 0.0, 0.5]})", {"'image_std'", "positive"});
  expect_error(R"({"image_std": "x"})", {"'image_std'", "array of numbers"});
  expect_error(R"({"size": {"shortest_edge": 100}})", {"'size.longest_edge'", "missing"});
  expect_error(R"({"patch_size": 0})", {"'patch_size'", "positive"});
  expect_error(R"({"merge_size": 1.5})", {"'merge_size'", "integer"});
  expect_error(R"([1])", {"JSON object"});
}

}  // namespace
