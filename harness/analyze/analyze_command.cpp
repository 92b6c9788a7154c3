// `pevlm analyze --config FILE [--out DIR] [--queries question|generated|both] [--layers all|0,3]
//  [--per-head] [--suggest-sink] [--limit N] [--device D] [--baseline] [--set key=value ...]`:
// where the attention of the question (or the first generated token) goes, per TokenLayout span,
// for every method configuration of the config (issue 13). Options override the config's `analysis:`.
#include <cstdio>

#include "harness/analyze/analyze_config.h"
#include "harness/analyze/analyze_runner.h"
#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"

namespace pevlm {

int run_analyze_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm analyze --config FILE [--out DIR] [--queries question|generated|both] [--layers all|0,3,27] "
                     "[--per-head] [--suggest-sink] [--limit N] [--device cpu|cuda|cuda:N] [--baseline] [--set key=value ...]",
                     {"--config", "--out", "--queries", "--layers", "--limit", "--device"},
                     {"--per-head", "--suggest-sink", "--baseline"},
                     {"--set"}};
  const CliArgs cli = parse_cli(args, spec);
  const std::filesystem::path config_path = cli.require("--config", spec.usage);
  nlohmann::json doc = load_config_with_overrides(
      config_path, cli.repeated.count("--set") ? cli.repeated.at("--set") : std::vector<std::string>{}, cli.get("--device", ""));
  if (!doc.contains("analysis") || !doc["analysis"].is_object()) doc["analysis"] = nlohmann::json::object();
  if (cli.has("--queries")) doc["analysis"]["queries"] = cli.get("--queries");
  if (cli.has("--layers")) doc["analysis"]["layers"] = cli.get("--layers");
  if (cli.flag("--per-head")) doc["analysis"]["per_head"] = true;
  const AnalyzeConfig config = parse_analyze_config(doc, config_path.string(), std::filesystem::current_path());
  AnalyzeOptions opts;
  opts.out = cli.get("--out", "results/tmp/analyze");
  if (cli.has("--limit")) opts.limit = std::stoll(cli.get("--limit"));
  opts.suggest_sink = cli.flag("--suggest-sink");
  opts.baseline = cli.flag("--baseline");
  const AnalyzeSummary s = run_analyze(config, opts);
  std::printf("analyze: %lld samples, %lld records, %lld errors, max |sum of masses - 1| %.3g, peak host memory %.0f MiB, "
              "%.1f s -> %s (plots: scripts/plot_analysis.py %s)\n",
              (long long)s.samples, (long long)s.records, (long long)s.errors, s.max_sum_error, s.peak_host_mib, s.seconds,
              (opts.out / "analysis.md").c_str(), opts.out.c_str());
  return s.errors > 0 && s.records == 0 ? 1 : 0;
}

}  // namespace pevlm
