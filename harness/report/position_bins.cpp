#include "harness/report/position_bins.h"

#include <algorithm>
#include <cstdio>

namespace pevlm {

const char* const kPositionRule =
    "Relative position of the referred moment = mean of the row's LongVideoBench `position` values / its "
    "duration_s (positions taken as seconds), in 5 equal bins; 'no position' = the row has no position "
    "(test split, or rows written before eval recorded it); 'beyond duration' = a position past the clip's "
    "duration (unit mismatch: listed, not clamped). Accuracy % (scored) per bin.";

std::string position_bin(const nlohmann::json& row) {
  const auto pos = row.find("position");
  const auto dur = row.find("duration_s");
  if (pos == row.end() || !pos->is_array() || pos->empty() || dur == row.end() || !dur->is_number() || dur->get<double>() <= 0)
    return "no position";
  double sum = 0;
  for (const auto& p : *pos) {
    if (!p.is_number()) return "no position";
    sum += p.get<double>();
  }
  const double rel = sum / double(pos->size()) / dur->get<double>();
  if (rel < 0 || rel > 1) return "beyond duration";
  const int bin = std::min(4, int(rel * 5));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d-%d%%", bin * 20, bin * 20 + 20);
  return buf;
}

std::vector<nlohmann::json> with_position_bins(const std::vector<nlohmann::json>& rows) {
  std::vector<nlohmann::json> out = rows;
  for (auto& r : out) r["position_bin"] = position_bin(r);
  return out;
}

}  // namespace pevlm
