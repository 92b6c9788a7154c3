#pragma once
// Helpers shared by the video / synthetic tests: a temporary folder and shell access to `ffmpeg`.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pevlm::video::testing {

// A fresh folder under the system temp dir, removed when the object dies.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline bool have_ffmpeg_cli() { return std::system("ffmpeg -version >/dev/null 2>&1") == 0; }

inline std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Largest per-channel difference between two RGB triples.
template <class A, class B>
int max_channel_diff(const A& a, const B& b) {
  int d = 0;
  for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(static_cast<int>(a[c]) - static_cast<int>(b[c])));
  return d;
}

}  // namespace pevlm::video::testing
