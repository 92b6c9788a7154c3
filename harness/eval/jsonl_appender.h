// Durable JSON-lines appending (one row per line, one write + fsync per row, a failed write cut back
// to the last complete row): eval's results store (results_store.h) and `pevlm speed`'s speed.jsonl
// both write through it, so a crash, kill or exception loses at most the row in flight.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace pevlm {

class JsonlAppender {
 public:
  // Opens `path` for appending (created when missing; `truncate` empties an existing file first).
  // Throws std::runtime_error naming the file when it cannot be opened.
  explicit JsonlAppender(const std::filesystem::path& path, bool truncate = false);
  ~JsonlAppender();
  JsonlAppender(const JsonlAppender&) = delete;
  JsonlAppender& operator=(const JsonlAppender&) = delete;

  // Appends `row` as one line, written and fsync'ed before returning. On a failed write (full disk,
  // file-size limit) the file is cut back to its last complete row and std::runtime_error says why,
  // naming `what` (e.g. "the result row <key>") and the file.
  void append(const nlohmann::json& row, const std::string& what = "a row");
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace pevlm
