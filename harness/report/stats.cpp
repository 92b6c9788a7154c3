// Clustered means, the cluster bootstrap and the exact McNemar test (see stats.h).
#include "harness/report/stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace pevlm::stats {
namespace {

// Per-cluster sums and counts, clusters in order of first appearance.
struct Clusters {
  std::vector<double> sum;
  std::vector<int64_t> count;
};

Clusters group(const std::vector<double>& y, const std::vector<std::string>& cluster) {
  if (y.size() != cluster.size())
    throw std::invalid_argument("clustered statistics: " + std::to_string(y.size()) + " values but " +
                                std::to_string(cluster.size()) + " cluster ids");
  Clusters c;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < y.size(); ++i) {
    auto [it, fresh] = index.emplace(cluster[i], c.sum.size());
    if (fresh) c.sum.push_back(0.0), c.count.push_back(0);
    c.sum[it->second] += y[i];
    c.count[it->second] += 1;
  }
  return c;
}

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// numpy.percentile(a, q) with the default linear rule on sorted `a`.
double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q / 100.0 * double(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double t = pos - double(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * t;
}

}  // namespace

ClusteredMean clustered_mean(const std::vector<double>& y, const std::vector<std::string>& cluster) {
  const Clusters c = group(y, cluster);
  ClusteredMean r;
  r.n = int64_t(y.size());
  r.clusters = int64_t(c.sum.size());
  if (r.n == 0) return r;
  double total = 0.0;
  for (double v : y) total += v;
  r.mean = total / double(r.n);
  if (r.clusters < 2) return r;
  double meat = 0.0;  // sum over clusters of (sum of residuals)^2
  for (size_t g = 0; g < c.sum.size(); ++g) {
    const double u = c.sum[g] - double(c.count[g]) * r.mean;
    meat += u * u;
  }
  const double G = double(r.clusters), N = double(r.n);
  const double variance = G / (G - 1.0) * meat / (N * N);  // (N-1)/(N-K) = 1 for K = 1
  r.se = std::sqrt(variance);
  r.ci_low = r.mean - kZ95 * *r.se;
  r.ci_high = r.mean + kZ95 * *r.se;
  return r;
}

BootstrapInterval cluster_bootstrap(const std::vector<double>& y, const std::vector<std::string>& cluster,
                                    int resamples, uint64_t seed) {
  const Clusters c = group(y, cluster);
  if (c.sum.empty() || resamples < 1)
    throw std::invalid_argument("cluster bootstrap needs at least one value and one resample");
  const uint64_t G = c.sum.size();
  SplitMix64 rng{seed};
  std::vector<double> means(static_cast<size_t>(resamples));
  for (double& s : means) {
    double sum = 0.0;
    int64_t count = 0;
    for (uint64_t k = 0; k < G; ++k) {
      const uint64_t g = uint64_t((static_cast<unsigned __int128>(rng.next()) * G) >> 64);
      sum += c.sum[g];
      count += c.count[g];
    }
    s = sum / double(count);
  }
  std::sort(means.begin(), means.end());
  return {resamples, seed, percentile(means, 2.5), percentile(means, 97.5)};
}

double binomial_half_cdf(int64_t k, int64_t n) {
  if (n < 0) throw std::invalid_argument("binomial_half_cdf: n < 0");
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  // log C(n, i) by recurrence; log-sum-exp around the largest term (the last, since k < n/2 is the common case).
  const double log_half_n = -double(n) * std::log(2.0);
  std::vector<double> logs(size_t(k) + 1);
  double lc = 0.0;
  for (int64_t i = 0; i <= k; ++i) {
    if (i > 0) lc += std::log(double(n - i + 1)) - std::log(double(i));
    logs[size_t(i)] = lc + log_half_n;
  }
  const double top = *std::max_element(logs.begin(), logs.end());
  double acc = 0.0;
  for (double l : logs) acc += std::exp(l - top);
  return std::min(1.0, std::exp(top + std::log(acc)));
}

double mcnemar_exact_p(int64_t b, int64_t c) {
  if (b < 0 || c < 0) throw std::invalid_argument("mcnemar_exact_p: negative count");
  return std::min(1.0, 2.0 * binomial_half_cdf(std::min(b, c), b + c));
}

}  // namespace pevlm::stats
