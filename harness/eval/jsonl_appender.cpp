// Durable JSON-lines appending; see jsonl_appender.h.
#include "harness/eval/jsonl_appender.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pevlm {
namespace {

// Writes all of `data`; on failure returns errno (a partial write may have happened).
int write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    off += size_t(n);
  }
  return 0;
}

}  // namespace

JsonlAppender::JsonlAppender(const std::filesystem::path& path, bool truncate) : path_(path) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path_.string() + " for appending: " + std::strerror(errno));
}

JsonlAppender::~JsonlAppender() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlAppender::append(const nlohmann::json& row, const std::string& what) {
  // A full disk or a file-size limit can cut the row short: cut the file back to its last complete row
  // so that it never holds a partial line, and stop with the cause (a run that cannot record its rows
  // must not go on computing them).
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  // Invalid UTF-8 (an error message cut mid-character, bytes from a damaged file) becomes U+FFFD instead
  // of an exception that would end the run.
  const std::string line = row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  int err = before < 0 ? errno : write_all(fd_, line);  // one write per row: O_APPEND keeps lines whole
  if (err == 0 && ::fsync(fd_) != 0) err = errno;
  if (err != 0) {
    const bool restored = before >= 0 && ::ftruncate(fd_, before) == 0;
    throw std::runtime_error("cannot append " + what + " to " + path_.string() + ": " + std::strerror(err) +
                             (restored ? "; the file was cut back to its last complete row, free space and rerun to resume"
                                       : "; the file could not be cut back: check its last line before resuming"));
  }
}

}  // namespace pevlm
