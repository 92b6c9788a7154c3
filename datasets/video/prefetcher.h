#pragma once
// Prefetcher: decodes job i+1 (and up to `capacity` jobs ahead) on one background thread while the
// caller works on job i. Generic over the job and result types; results come back in job order.
// A job whose function throws yields its exception from next() for that job only; later jobs still
// run and are delivered. Destroying the prefetcher early stops the worker after its current job.
//
//   Prefetcher<std::string, VideoFrames> pf(paths, [](const std::string& p) { return decode(p); }, 2);
//   while (pf.has_next()) { VideoFrames f = pf.next(); ... }
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pevlm::video {

template <class Job, class Result>
class Prefetcher {
 public:
  using Fn = std::function<Result(const Job&)>;

  // capacity >= 1: how many finished results may wait for the caller (bounds memory).
  Prefetcher(std::vector<Job> jobs, Fn fn, size_t capacity)
      : jobs_(std::move(jobs)), fn_(std::move(fn)), capacity_(capacity) {
    if (capacity_ == 0) throw std::invalid_argument("Prefetcher: capacity must be at least 1");
    if (!fn_) throw std::invalid_argument("Prefetcher: empty job function");
    worker_ = std::thread([this] { run(); });
  }

  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    space_.notify_all();
    worker_.join();
  }

  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  size_t size() const { return jobs_.size(); }
  bool has_next() const { return delivered_ < jobs_.size(); }
  size_t next_index() const { return delivered_; }

  // The result of the next job in order, waiting for it if needed; rethrows that job's exception.
  // Throws std::out_of_range when every job has been delivered.
  Result next() {
    if (!has_next()) throw std::out_of_range("Prefetcher: all " + std::to_string(jobs_.size()) + " jobs delivered");
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [this] { return !queue_.empty(); });
      slot = std::move(queue_.front());
      queue_.pop_front();
    }
    space_.notify_all();
    ++delivered_;
    if (slot.error) std::rethrow_exception(slot.error);
    return std::move(*slot.value);
  }

 private:
  struct Slot {
    std::optional<Result> value;
    std::exception_ptr error;
  };

  void run() {
    for (const Job& job : jobs_) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        space_.wait(lock, [this] { return stop_ || queue_.size() < capacity_; });
        if (stop_) return;
      }
      Slot slot;
      try {
        slot.value.emplace(fn_(job));
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.push_back(std::move(slot));
      }
      ready_.notify_all();
    }
  }

  const std::vector<Job> jobs_;
  const Fn fn_;
  const size_t capacity_;
  size_t delivered_ = 0;  // touched by the caller's thread only
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Slot> queue_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace pevlm::video
