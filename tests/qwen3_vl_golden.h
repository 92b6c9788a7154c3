// The tiny Qwen3-VL golden fixture (tests/data/golden/qwen3_vl_tiny, written by
// scripts/golden/make_qwen3_vl_golden.py from transformers' own Qwen3-VL classes): tensor access and
// the fp32 comparison every Qwen3-VL parity test uses (max-abs <= 1e-4).
#pragma once

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "models/safetensors/safetensors.h"
#include "models/safetensors/torch_tensor.h"

namespace pevlm::qwen3_vl::testing {

inline const std::string& golden_dir() {
  static const std::string dir(PEVLM_SOURCE_DIR "/tests/data/golden/qwen3_vl_tiny");
  return dir;
}

inline at::Tensor golden(const std::string& name) {
  static const auto file = safetensors::SafetensorsFile::open(golden_dir() + "/golden.safetensors");
  return safetensors::to_tensor_copy(file.get(name));
}

inline std::vector<int64_t> golden_ids(const std::string& name) {
  at::Tensor t = golden(name).contiguous().to(at::kLong);
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

// fp32 parity: every stage must agree to 1e-4 in max-abs.
constexpr double kFp32Tolerance = 1e-4;

inline double max_abs(const at::Tensor& actual, const at::Tensor& expected) {
  return (actual.to(at::kCPU, at::kDouble) - expected.to(at::kDouble)).abs().max().item<double>();
}

inline void expect_close(const at::Tensor& actual, const at::Tensor& expected, const std::string& what,
                         double tolerance = kFp32Tolerance) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double err = max_abs(actual, expected);
  std::cout << "[golden] " << what << ": max-abs " << err << "\n";
  EXPECT_LE(err, tolerance) << what;
}

}  // namespace pevlm::qwen3_vl::testing
