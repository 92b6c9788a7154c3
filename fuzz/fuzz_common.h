// Helpers shared by the libFuzzer targets in fuzz/: a per-process scratch folder for parsers whose entry
// point takes a path, and the one rule of every target: std::exception (what the parsers document as
// their error channel) is the expected outcome of bad input; anything else (a sanitizer report, an abort,
// a timeout, an exception of another type escaping) is a finding.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace pevlm::fuzz {

// /tmp/pevlm-fuzz-<target>-<pid>/ (unique per process: libFuzzer -jobs/-fork run several), created on
// first use and removed at exit.
inline const std::filesystem::path& scratch_dir(const char* target) {
  struct Dir {
    std::filesystem::path path;
    explicit Dir(const char* t)
        : path(std::filesystem::temp_directory_path() / ("pevlm-fuzz-" + std::string(t) + "-" + std::to_string(::getpid()))) {
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir(target);
  return dir.path;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Splits `input` at every occurrence of `sep` (multi-file inputs: vocab.json + merges.txt, ...).
inline std::vector<std::string_view> split(std::string_view input, std::string_view sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (size_t at; (at = input.find(sep, pos)) != std::string_view::npos; pos = at + sep.size())
    parts.push_back(input.substr(pos, at - pos));
  parts.push_back(input.substr(pos));
  return parts;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `body`; a std::exception is the parser rejecting the input cleanly.
template <typename F>
void expect_clean(F&& body) {
  try {
    body();
  } catch (const std::exception&) {
  }
}

}  // namespace pevlm::fuzz
