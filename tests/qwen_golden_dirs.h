// Where the tiny Qwen2.5-VL golden fixtures live (issue 3, item 9): the repository's own
// tests/data/golden/ (written by scripts/golden/make_qwen_golden.py with transformers 5.x) first,
// ../shared/golden/ (the transformers 4.50 fixture) second. Golden tests run once per root
// (value-parameterised) and skip, with the missing path as reason, where a root lacks a fixture.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pevlm::test {

struct GoldenRoot {
  std::string name;  // gtest parameter name
  std::string path;  // holds qwen2_5_vl_tiny/ and qwen2_5_vl_tiny_methods/
  std::string model_dir() const { return path + "/qwen2_5_vl_tiny"; }
  std::string golden_file() const { return model_dir() + "/golden.safetensors"; }
  std::string methods_file() const { return path + "/qwen2_5_vl_tiny_methods/methods.safetensors"; }
};

inline std::vector<GoldenRoot> golden_roots() {
  return {{"repo_tests_data", PEVLM_SOURCE_DIR "/tests/data/golden"}, {"shared", PEVLM_SHARED_DIR "/golden"}};
}

inline std::string golden_root_name(const ::testing::TestParamInfo<GoldenRoot>& info) { return info.param.name; }

// Empty when present, else the reason to skip.
inline std::string golden_missing(const std::vector<std::string>& files) {
  for (const std::string& f : files)
    if (!std::filesystem::exists(f)) return "golden fixture absent: " + f;
  return "";
}

}  // namespace pevlm::test
