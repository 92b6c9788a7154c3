// Accuracy grouping for LongVideoBench reports (see accuracy.h).
#include "datasets/longvideobench/accuracy.h"

#include <stdexcept>

namespace pevlm::lvb {
namespace {

nlohmann::json tally_json(const Tally& t) {
  return {{"correct", t.correct}, {"total", t.total}, {"accuracy", t.accuracy()}};
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool GroupValueLess::operator()(const std::string& a, const std::string& b) const {
  if (all_digits(a) && all_digits(b) && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

GroupKeys group_keys(const Sample& s) {
  return {std::to_string(s.duration_group), s.question_category, s.level};
}

const std::vector<std::string>& group_axes() {
  static const std::vector<std::string> kAxes = {"duration_group", "question_category", "level"};
  return kAxes;
}

const std::string& group_value(const GroupKeys& keys, const std::string& axis) {
  if (axis == "duration_group") return keys.duration_group;
  if (axis == "question_category") return keys.question_category;
  if (axis == "level") return keys.level;
  throw std::invalid_argument("unknown accuracy axis \"" + axis +
                              "\"; valid: duration_group, question_category, level");
}

void AccuracyTable::add(const GroupKeys& keys, bool correct) {
  overall_.total += 1;
  overall_.correct += correct ? 1 : 0;
  for (const auto& axis : group_axes()) {
    Tally& t = groups_[axis][group_value(keys, axis)];
    t.total += 1;
    t.correct += correct ? 1 : 0;
  }
}

const TallyMap& AccuracyTable::by(const std::string& axis) const {
  static const TallyMap kEmpty;
  GroupKeys probe;
  group_value(probe, axis);  // validates the axis name
  auto it = groups_.find(axis);
  return it == groups_.end() ? kEmpty : it->second;
}

nlohmann::json AccuracyTable::to_json() const {
  nlohmann::json j = {{"overall", tally_json(overall_)}};
  for (const auto& axis : group_axes()) {
    nlohmann::json g = nlohmann::json::object();
    for (const auto& [value, tally] : by(axis)) g[value] = tally_json(tally);
    j[axis] = g;
  }
  return j;
}

}  // namespace pevlm::lvb
