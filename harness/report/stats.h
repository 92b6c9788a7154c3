// Statistics a reviewer asks for (issue 24 item 8), on plain numbers (no JSON, no rows): the mean of
// per-sample values with a standard error clustered by video, a cluster bootstrap interval, and the exact
// McNemar test. Checked against statsmodels / scipy on a fixed table (tests/data/report_stats/, written by
// scripts/golden/make_report_stats_golden.py).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pevlm::stats {

// z of a two-sided 95 % normal interval (scipy.stats.norm.ppf(0.975)).
constexpr double kZ95 = 1.959963984540054;

struct ClusteredMean {
  int64_t n = 0;
  int64_t clusters = 0;
  double mean = 0.0;             // meaningless when n == 0
  std::optional<double> se;      // cluster-robust; nullopt with fewer than 2 clusters
  std::optional<double> ci_low;  // mean -/+ kZ95 * se (not clipped)
  std::optional<double> ci_high;
};

// Mean of y with the analytic cluster-robust (CR1) standard error of an OLS of y on a constant, as
// statsmodels OLS(y, ones).fit(cov_type="cluster", cov_kwds={"groups": cluster}) computes it: residuals
// e = y - mean summed per cluster, V = G/(G-1) * (N-1)/(N-K) * sum_g (sum_{i in g} e_i)^2 / N^2 with K = 1,
// and a normal interval (statsmodels' default use_t=False for robust covariances). For 0/1 correctness
// this is the proportion's clustered standard error. Throws std::invalid_argument when the sizes differ.
ClusteredMean clustered_mean(const std::vector<double>& y, const std::vector<std::string>& cluster);

struct BootstrapInterval {
  int resamples = 0;
  uint64_t seed = 0;
  double low = 0.0, high = 0.0;
};

// Percentile interval (numpy.percentile's linear rule at 2.5 / 97.5) of sum(y) / count over `resamples`
// cluster bootstrap samples: each draws G clusters with replacement (clusters in order of first appearance,
// index = high 64 bits of splitmix64() * G from a splitmix64 stream started at `seed`), keeping whole
// clusters. Deterministic for a seed; needs n >= 1 and resamples >= 1 (std::invalid_argument otherwise).
BootstrapInterval cluster_bootstrap(const std::vector<double>& y, const std::vector<std::string>& cluster,
                                    int resamples, uint64_t seed);

// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (relative error below 1e-9 for n up to 10^6).
double binomial_half_cdf(int64_t k, int64_t n);
// Exact McNemar p-value from the discordant counts, as statsmodels mcnemar(table, exact=True):
// min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2); 1 when b + c == 0.
double mcnemar_exact_p(int64_t b, int64_t c);

}  // namespace pevlm::stats
