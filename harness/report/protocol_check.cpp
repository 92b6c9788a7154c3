// One protocol per report column; see protocol_check.h.
#include "harness/report/protocol_check.h"

#include <map>
#include <stdexcept>

#include "harness/report/results_io.h"

namespace pevlm {

std::string MixedProtocolColumn::describe() const {
  std::string out = "model " + model + ", configuration " + label + ":";
  for (size_t i = 0; i < protocols.size(); ++i)
    out += (i ? "," : "") + std::string(" ") + std::to_string(rows[i]) + " row(s) of protocol " + protocols[i];
  return out;
}

std::vector<MixedProtocolColumn> mixed_protocol_columns(const std::vector<nlohmann::json>& rows) {
  std::vector<MixedProtocolColumn> columns;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const nlohmann::json& r : rows) {
    const std::string label = r.value("label", std::string("?"));
    const auto [it, added] = index.emplace(std::make_pair(row_model(r), label), columns.size());
    if (added) columns.push_back(MixedProtocolColumn{row_model(r), label, {}, {}});
    MixedProtocolColumn& c = columns[it->second];
    const std::string protocol = r.contains("protocol") ? r["protocol"].dump() : "null";
    size_t p = 0;
    while (p < c.protocols.size() && c.protocols[p] != protocol) ++p;
    if (p == c.protocols.size()) {
      c.protocols.push_back(protocol);
      c.rows.push_back(0);
    }
    ++c.rows[p];
  }
  std::vector<MixedProtocolColumn> mixed;
  for (auto& c : columns)
    if (c.protocols.size() > 1) mixed.push_back(std::move(c));
  return mixed;
}

std::vector<std::string> check_one_protocol_per_column(const std::vector<nlohmann::json>& rows, bool allow_mixed) {
  const std::vector<MixedProtocolColumn> mixed = mixed_protocol_columns(rows);
  std::vector<std::string> warnings;
  for (const auto& c : mixed) warnings.push_back("rows of different protocols in one column: " + c.describe());
  if (mixed.empty() || allow_mixed) return warnings;
  std::string what;
  for (const auto& w : warnings) what += "\n  " + w;
  throw std::invalid_argument("pevlm report: " + std::to_string(mixed.size()) +
                              " column(s) would mix rows of different protocols, whose accuracies are not comparable:" +
                              what + "\n(report each protocol's rows separately, or pass --allow-mixed-protocols)");
}

}  // namespace pevlm
