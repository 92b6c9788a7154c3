// Shared helpers of the Qwen2.5-VL vision/preprocess/rope tests: the golden folder
// (../shared/golden/qwen2_5_vl_tiny, produced by transformers 4.50, see its README.md) and
// tensor comparison by max-abs error and normalised MSE (llama.cpp test-backend-ops style).
#pragma once

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm::qwen2_5_vl::testing {

inline const std::string& golden_dir() {
  static const std::string dir(PEVLM_SHARED_DIR "/golden/qwen2_5_vl_tiny");
  return dir;
}

// Path of a file in the golden folder (std::filesystem::path sidesteps a GCC 12
// -Wstringop-overflow false positive on inlined std::string concatenation).
inline std::string golden_file(const char* name) { return (std::filesystem::path(golden_dir()) / name).string(); }

inline bool golden_available() {
  return std::filesystem::exists(golden_file("golden.safetensors")) &&
         std::filesystem::exists(golden_file("model.safetensors")) && std::filesystem::exists(golden_file("config.json"));
}

// Owning copy of one golden tensor.
inline at::Tensor golden(const std::string& name) {
  static const auto file = safetensors::SafetensorsFile::open(golden_file("golden.safetensors"));
  return safetensors::to_tensor_copy(file.get(name));
}

// sum((a-b)^2) / sum(b^2), in double.
inline double nmse(const at::Tensor& actual, const at::Tensor& expected) {
  at::Tensor a = actual.to(at::kDouble), b = expected.to(at::kDouble);
  const double den = b.pow(2).sum().item<double>();
  return (a - b).pow(2).sum().item<double>() / (den > 0 ? den : 1.0);
}

inline double max_abs(const at::Tensor& actual, const at::Tensor& expected) {
  return (actual.to(at::kDouble) - expected.to(at::kDouble)).abs().max().item<double>();
}

// Shapes equal, max |a - b| <= abs_tol and NMSE <= nmse_tol; prints both numbers on failure.
inline void expect_close(const at::Tensor& actual, const at::Tensor& expected, double abs_tol, double nmse_tol,
                         const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double ma = max_abs(actual, expected), ne = nmse(actual, expected);
  EXPECT_LE(ma, abs_tol) << what << ": max-abs " << ma << " (nmse " << ne << ")";
  EXPECT_LE(ne, nmse_tol) << what << ": nmse " << ne << " (max-abs " << ma << ")";
}

#define PEVLM_REQUIRE_GOLDEN()                                                                       \
  if (!::pevlm::qwen2_5_vl::testing::golden_available())                                             \
  GTEST_SKIP() << "golden folder absent: " << ::pevlm::qwen2_5_vl::testing::golden_dir()

}  // namespace pevlm::qwen2_5_vl::testing
