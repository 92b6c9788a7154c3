// Medians of repeated measurements, written once for every command (header-only, torch-free).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace pevlm {

// The middle sample (the upper one of an even count): a time that was actually measured, as the speed
// rows report (speed_runner, llm_speed). Throws std::invalid_argument for no samples.
inline double median_sample(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("median of no samples");
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The statistical median: the mean of the two middle values of an even count (analyze's sink chooser).
inline double median(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("median of no samples");
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace pevlm
