// One protocol per report column (issue 24 item 6): a column of the report is one (model, method
// configuration label); its rows must share one protocol (the row's "protocol": the whole recorded card,
// compared as JSON), or its accuracy would average numbers that are not comparable (other frames, pixels,
// prompts, subtitles, extraction). `pevlm report` refuses such columns unless told to
// (--allow-mixed-protocols), and then names them in the report's warnings.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

struct MixedProtocolColumn {
  std::string model, label;
  std::vector<std::string> protocols;  // each protocol's JSON (null when a row records none), first-seen order
  std::vector<int64_t> rows;           // rows per protocol, same order
  std::string describe() const;        // "model m, configuration full: 3 rows of {...}, 2 rows of {...}"
};

// The columns whose rows record more than one protocol, in first-seen order.
std::vector<MixedProtocolColumn> mixed_protocol_columns(const std::vector<nlohmann::json>& rows);

// Throws std::invalid_argument naming every mixed column and the flag that allows them, unless
// `allow_mixed`; with it, returns one warning per mixed column (empty when none).
std::vector<std::string> check_one_protocol_per_column(const std::vector<nlohmann::json>& rows, bool allow_mixed);

}  // namespace pevlm
