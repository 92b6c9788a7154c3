// Accuracy by the position of the moment a question refers to (issue 13, item 6: the PEVLM paper's
// "lost in the middle" hypothesis). LongVideoBench's `position` field (longvideobench.md) lists the
// referred positions; eval rows carry it as "position" beside "duration_s".
//
// Rule: relative position = mean(position) / duration_s, in 5 equal bins "0-20%" .. "80-100%". The
// unit is taken to be seconds (what the synthetic generator writes: the second the answer is drawn
// at). Rows without a position or duration go to "no position"; rows whose position exceeds the
// duration go to "beyond duration" (listed, never clamped: the real file's unit is unverified — its
// documented example has position [20] in a 9 s clip).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pevlm {

extern const char* const kPositionRule;

// The bin label of one result row.
std::string position_bin(const nlohmann::json& row);
// Copies of the rows with "position_bin" set (for group_table / accuracy_rows by "position_bin").
std::vector<nlohmann::json> with_position_bins(const std::vector<nlohmann::json>& rows);

}  // namespace pevlm
