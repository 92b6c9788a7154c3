// Progress line on stderr for long work: done/total, rate, ETA (and a caller-supplied note).
#pragma once

#include <chrono>
#include <string>

namespace pevlm {

class Progress {
 public:
  Progress(std::string what, int64_t total);
  // Marks `n` more items done and prints "[what] done/total  rate/s  ETA mm:ss  note".
  void advance(int64_t n, const std::string& note = "");
  double elapsed_s() const;

 private:
  std::string what_;
  int64_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace pevlm
