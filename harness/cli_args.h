// Minimal command-line parsing for the pevlm subcommands: positionals, --key value, --flag,
// and repeated --set key=value. Unknown options are errors listing the valid ones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pevlm {

struct CliSpec {
  std::string usage;                       // "pevlm speed --config FILE [--out DIR]"
  std::vector<std::string> value_options;  // take a value: "--config"
  std::vector<std::string> flag_options;   // no value: "--no-resume"
  std::vector<std::string> repeated_options;  // may repeat, values collected: "--set"
};

struct CliArgs {
  std::vector<std::string> positionals;
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> repeated;
  std::vector<std::string> flags;

  bool has(const std::string& opt) const;
  std::string get(const std::string& opt, const std::string& fallback = "") const;
  std::string require(const std::string& opt, const std::string& usage) const;
  bool flag(const std::string& opt) const;
};

// Throws std::invalid_argument with the usage line on unknown options or missing values.
CliArgs parse_cli(const std::vector<std::string>& args, const CliSpec& spec);

// The value of `opt` as a non-negative integer (digits only, below 10^18), `fallback` when absent;
// anything else is std::invalid_argument "<opt> expects a non-negative integer, got '<value>'".
uint64_t cli_uint(const CliArgs& cli, const std::string& opt, uint64_t fallback);
// The one positional argument `what` (e.g. "DIR"): none or several is std::invalid_argument.
std::string cli_single_positional(const CliArgs& cli, const std::string& what);

}  // namespace pevlm
