// The variants' implementations (one file per family of rules); answer_extractor.cpp dispatches.
#pragma once

#include <optional>
#include <string>

namespace pevlm::answers::detail {

// extract_prefix_regex.cpp
std::string strip_prefixes(const std::string& response, bool fused_pairs);
std::optional<char> first_capital(const std::string& response, bool fused_pairs, char last_letter);
// extract_mcq_priority.cpp
std::optional<char> mcq_priority(const std::string& response, const std::string& choices);
// extract_paren.cpp
std::optional<char> mlvu_char_before_paren(const std::string& response);
std::optional<char> mlvu_official(const std::string& response);
std::optional<char> lvbench_official(const std::string& response);

}  // namespace pevlm::answers::detail
