#include "harness/progress.h"

#include <cstdio>

namespace pevlm {

Progress::Progress(std::string what, int64_t total) : what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t n, const std::string& note) {
  done_ += n;
  const double t = elapsed_s();
  const double rate = t > 0 ? double(done_) / t : 0.0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : 0.0;
  std::fprintf(stderr, "[%s] %lld/%lld  %.2f/s  elapsed %02d:%02d  ETA %02d:%02d  %s\n", what_.c_str(), (long long)done_,
               (long long)total_, rate, int(t) / 60, int(t) % 60, int(eta) / 60, int(eta) % 60, note.c_str());
  std::fflush(stderr);
}

}  // namespace pevlm
