// Hub ids resolved from huggingface_hub's local cache layout (models/safetensors/hub_cache.h): the environment
// variables in huggingface_hub's order, refs/main, a lone snapshot, and the errors naming what was missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/safetensors/hub_cache.h"

namespace fs = std::filesystem;
using pevlm::safetensors::hub_cache_dir;
using pevlm::safetensors::resolve_model_dir;

namespace {

std::string error_of(const std::string& id) {
  try {
    resolve_model_dir(id);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

class HubCache : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("pevlm_hub_cache_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    for (const char* v : {"HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"}) ::unsetenv(v);
    if (const char* h = std::getenv("HOME")) home_ = h;
  }
  void TearDown() override {
    for (const char* v : {"HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"}) ::unsetenv(v);
    if (!home_.empty()) ::setenv("HOME", home_.c_str(), 1);
    fs::remove_all(root_);
  }
  fs::path root_;
  std::string home_;
};

TEST_F(HubCache, EnvironmentOrderAsHuggingfaceHub) {
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(hub_cache_dir(), fs::path("/home/someone/.cache/huggingface/hub"));
  ::setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(hub_cache_dir(), fs::path("/xdg/huggingface/hub"));
  ::setenv("HF_HOME", "/hf", 1);
  EXPECT_EQ(hub_cache_dir(), fs::path("/hf/hub"));
  ::setenv("HF_HUB_CACHE", "/cache", 1);
  EXPECT_EQ(hub_cache_dir(), fs::path("/cache"));
}

TEST_F(HubCache, SnapshotOfRefsMainOrTheOnlyOne) {
  ::setenv("HF_HUB_CACHE", root_.c_str(), 1);
  const fs::path repo = root_ / "models--google--siglip-so400m-patch14-384";
  fs::create_directories(repo / "snapshots" / "abc123");
  fs::create_directories(repo / "refs");
  // No refs/main and one snapshot: that one.
  EXPECT_EQ(resolve_model_dir("google/siglip-so400m-patch14-384"), repo / "snapshots" / "abc123");
  fs::create_directories(repo / "snapshots" / "def456");
  EXPECT_NE(error_of("google/siglip-so400m-patch14-384").find("2 snapshots"), std::string::npos);
  std::ofstream(repo / "refs" / "main") << "def456";
  EXPECT_EQ(resolve_model_dir("google/siglip-so400m-patch14-384"), repo / "snapshots" / "def456");
  std::ofstream(repo / "refs" / "main") << "0000";
  EXPECT_NE(error_of("google/siglip-so400m-patch14-384").find("refs/main names 0000"), std::string::npos);
  // An existing folder is itself, even when it looks like an id.
  EXPECT_EQ(resolve_model_dir(root_.string()), root_);
}

TEST_F(HubCache, ErrorsNameTheCacheSearched) {
  ::setenv("HF_HUB_CACHE", root_.c_str(), 1);
  const std::string msg = error_of("google/missing");
  EXPECT_NE(msg.find((root_ / "models--google--missing").string()), std::string::npos) << msg;
  EXPECT_NE(error_of("/no/such/folder").find("does not exist"), std::string::npos);
  EXPECT_NE(error_of("plainname").find("does not exist"), std::string::npos);
}

}  // namespace
