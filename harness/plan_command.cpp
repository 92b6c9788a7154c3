// `pevlm methods`: every registered method with its parameters and defaults.
// `pevlm plan --method NAME [--set k=v ...] [--frames N --tokens-per-frame T --system S --question Q]`:
// prints a method's plan on a small synthetic layout (ranges, token counts, FLOPs, ASCII mask).
#include <iostream>

#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"
#include "methods/method_registry.h"

namespace pevlm {

int run_methods_command(const std::vector<std::string>& args) {
  parse_cli(args, CliSpec{"pevlm methods", {}, {}, {}});
  for (const MethodSpec& m : method_specs()) {
    std::cout << m.name << ": " << m.description << "\n";
    for (const ParamSpec& p : m.params)
      std::cout << "    " << p.name << " (default " << (p.default_value.is_null() ? std::string("-") : p.default_value.dump())
                << (p.group.empty() ? "" : ", alternative within '" + p.group + "'") << "): " << p.help << "\n";
  }
  return 0;
}

int run_plan_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm plan --method NAME [--set k=v ...] [--frames N] [--tokens-per-frame T] [--system S] [--question Q]",
                     {"--method", "--frames", "--tokens-per-frame", "--system", "--question"}, {}, {"--set"}};
  const CliArgs cli = parse_cli(args, spec);
  nlohmann::json entry = parse_overrides(cli.repeated.count("--set") ? cli.repeated.at("--set") : std::vector<std::string>{});
  entry["name"] = cli.require("--method", spec.usage);
  const MethodConfig cfg = resolve_method(entry);
  const int64_t tpf = std::stoll(cli.get("--tokens-per-frame", "4"));
  const TokenLayout layout = make_synthetic_layout(SyntheticLayoutSpec{std::stoll(cli.get("--system", "5")),
                                                                       std::stoll(cli.get("--frames", "6")), tpf,
                                                                       std::stoll(cli.get("--question", "3")), false, 1, tpf, 1});
  const AttentionPlan plan = build_plan(cfg, layout);
  std::cout << cfg.label() << " on L=" << layout.length << " (" << layout.num_frames() << " frames x " << tpf << " tokens)\n";
  for (const QueryRange& q : plan.queries) {
    std::cout << "  " << q.role << " [" << q.begin << ", " << q.end << ") sees";
    for (const KeyRange& k : q.keys)
      std::cout << " [" << k.begin << ", " << k.end << ")" << (k.causal ? " causal" : "") << (k.group ? " group " + std::to_string(k.group) : "");
    std::cout << "\n";
  }
  std::cout << "  token counts " << plan.token_counts().dump() << "\n  pairs " << plan.attended_pairs() << " of "
            << layout.length * (layout.length + 1) / 2 << " (full)\n";
  if (layout.length <= 120) {
    const auto m = plan.dense_mask();
    for (int64_t i = 0; i < layout.length; ++i) {
      std::cout << "  ";
      for (int64_t j = 0; j < layout.length; ++j) std::cout << (m[size_t(i * layout.length + j)] ? '#' : '.');
      std::cout << "\n";
    }
  }
  return 0;
}

}  // namespace pevlm
