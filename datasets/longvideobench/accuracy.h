// Accuracy grouping for LongVideoBench reports (library pevlm_lvb).
//
// lmms-eval longvideobench_aggregate_results groups by duration_group and question_category;
// the paper also reports per level. Overall accuracy is correct / total (lmms-eval's weighted
// mean over its subsets counts every sample twice and reduces to the same number).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/longvideobench/sample.h"

namespace pevlm::lvb {

// The grouping keys of one sample, as strings for report tables.
struct GroupKeys {
  std::string duration_group;     // "15", "60", "600", "3600"
  std::string question_category;  // "S2E" ... "TAA"
  std::string level;              // "L1-Perception", ...
};

GroupKeys group_keys(const Sample& sample);

// The axes a report can group by: "duration_group", "question_category", "level".
const std::vector<std::string>& group_axes();

// The value of `axis` (one of group_axes()) in `keys`; throws std::invalid_argument otherwise.
const std::string& group_value(const GroupKeys& keys, const std::string& axis);

struct Tally {
  int64_t correct = 0;
  int64_t total = 0;
  double accuracy() const { return total ? static_cast<double>(correct) / total : 0.0; }
};

// Orders all-digit strings numerically ("15" < "60" < "600" < "3600"), others lexicographically.
struct GroupValueLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using TallyMap = std::map<std::string, Tally, GroupValueLess>;

// Counts correct / total overall and per axis value.
class AccuracyTable {
 public:
  void add(const GroupKeys& keys, bool correct);
  const Tally& overall() const { return overall_; }
  // axis -> value -> tally (values sorted; duration groups numerically).
  const TallyMap& by(const std::string& axis) const;
  // {"overall": {"correct", "total", "accuracy"}, "<axis>": {"<value>": {...}}, ...}
  nlohmann::json to_json() const;

 private:
  Tally overall_;
  std::map<std::string, TallyMap> groups_;
};

}  // namespace pevlm::lvb
