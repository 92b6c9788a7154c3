#include "harness/cli_args.h"

#include <algorithm>
#include <stdexcept>

namespace pevlm {
namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

bool CliArgs::has(const std::string& opt) const { return values.count(opt) > 0; }
std::string CliArgs::get(const std::string& opt, const std::string& fallback) const {
  auto it = values.find(opt);
  return it == values.end() ? fallback : it->second;
}
std::string CliArgs::require(const std::string& opt, const std::string& usage) const {
  if (!has(opt)) throw std::invalid_argument("missing " + opt + "\nusage: " + usage);
  return get(opt);
}
bool CliArgs::flag(const std::string& opt) const { return contains(flags, opt); }

CliArgs parse_cli(const std::vector<std::string>& args, const CliSpec& spec) {
  CliArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.positionals.push_back(a);
      continue;
    }
    std::string key = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      key = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const bool takes_value = contains(spec.value_options, key) || contains(spec.repeated_options, key);
    if (!takes_value && !contains(spec.flag_options, key)) {
      std::string valid;
      for (const auto* list : {&spec.value_options, &spec.flag_options, &spec.repeated_options})
        for (const auto& o : *list) valid += " " + o;
      throw std::invalid_argument("unknown option " + key + "; valid options:" + valid + "\nusage: " + spec.usage);
    }
    if (!takes_value) {
      out.flags.push_back(key);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) throw std::invalid_argument("option " + key + " needs a value\nusage: " + spec.usage);
      value = args[++i];
    }
    if (contains(spec.repeated_options, key)) out.repeated[key].push_back(value);
    else out.values[key] = value;
  }
  return out;
}

uint64_t cli_uint(const CliArgs& cli, const std::string& opt, uint64_t fallback) {
  if (!cli.has(opt)) return fallback;
  const std::string v = cli.get(opt);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 18)
    throw std::invalid_argument(opt + " expects a non-negative integer, got '" + v + "'");
  return std::stoull(v);
}

std::string cli_single_positional(const CliArgs& cli, const std::string& what) {
  if (cli.positionals.empty()) throw std::invalid_argument("missing " + what);
  if (cli.positionals.size() > 1)
    throw std::invalid_argument("one " + what + " expected, got '" + cli.positionals[0] + "' and '" + cli.positionals[1] + "'");
  return cli.positionals[0];
}

}  // namespace pevlm
