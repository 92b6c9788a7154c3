// `pevlm eval --config FILE [--out DIR] [--shard i/n [--shard-by sample|video]] [--limit N] [--no-resume] [--no-prefix-reuse]
// [--fail-on-errors]` and
// `pevlm merge OUT IN...`.
#include <cstdio>

#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"
#include "harness/eval/eval_runner.h"
#include "harness/eval/results_store.h"

namespace pevlm {

int run_eval_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm eval --config FILE [--out DIR] [--device cpu|cuda|cuda:N] [--shard i/n [--shard-by sample|video]] "
                     "[--limit N] [--no-resume] [--frames-cache DIR [--decode-only]] [--no-prefix-reuse] [--fail-on-errors] "
                     "[--set key=value ...]",
                     {"--config", "--out", "--shard", "--shard-by", "--limit", "--device", "--frames-cache"},
                     {"--no-resume", "--resume", "--decode-only", "--fail-on-errors", "--no-prefix-reuse"},
                     {"--set"}};
  const CliArgs cli = parse_cli(args, spec);
  const std::filesystem::path config_path = cli.require("--config", spec.usage);
  // --device wins over the config's `device:` (load_config_with_overrides).
  const nlohmann::json doc = load_config_with_overrides(
      config_path, cli.repeated.count("--set") ? cli.repeated.at("--set") : std::vector<std::string>{}, cli.get("--device", ""));
  EvalConfig config = parse_eval_config(doc, config_path.string(), std::filesystem::current_path());
  if (cli.flag("--no-prefix-reuse")) {
    config.prefix_reuse = false;
    config.resolved["prefix_reuse"] = false;
  }
  EvalOptions opts;
  opts.out = cli.get("--out", "results/tmp/eval");
  std::tie(opts.shard_index, opts.shard_count) = parse_shard(cli.get("--shard", "0/1"));
  if (opts.shard_count > 1 && !cli.has("--out")) opts.out /= "shard-" + std::to_string(opts.shard_index);
  const std::string shard_by = cli.get("--shard-by", "sample");
  if (shard_by != "sample" && shard_by != "video")
    throw std::invalid_argument("--shard-by: expected sample or video, got '" + shard_by + "'");
  opts.shard_by_video = shard_by == "video";
  if (cli.has("--limit")) opts.limit = std::stoll(cli.get("--limit"));
  opts.resume = !cli.flag("--no-resume");
  opts.frames_cache = cli.get("--frames-cache", "");
  opts.decode_only = cli.flag("--decode-only");
  const EvalSummary s = run_eval(config, opts);
  if (opts.decode_only) {
    std::printf("eval --decode-only: %lld samples, %lld errors, %.1f s -> frames cache %s\n", (long long)s.samples,
                (long long)s.errors, s.seconds, opts.frames_cache.c_str());
  } else {
    std::printf("eval: %lld samples, %lld rows written, %lld already done, %lld errors, %.1f s -> %s\n", (long long)s.samples,
                (long long)s.rows_written, (long long)s.rows_skipped, (long long)s.errors, s.seconds,
                (opts.out / "results.jsonl").c_str());
  }
  // A row's error (a sample that could not be decoded, a model that threw) is data for the report and
  // the run goes on; a check that must not pass with error rows (scripts/device/check.sh) asks for a
  // failing exit status instead.
  if (cli.flag("--fail-on-errors") && s.errors > 0) {
    std::fprintf(stderr, "eval: %lld error row(s) in this run (--fail-on-errors); see their \"error\" field\n", (long long)s.errors);
    return 3;
  }
  return 0;
}

int run_merge_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm merge OUT IN [IN ...]", {}, {}, {}};
  const CliArgs cli = parse_cli(args, spec);
  if (cli.positionals.size() < 2) throw std::invalid_argument("usage: " + spec.usage);
  std::vector<std::filesystem::path> inputs(cli.positionals.begin() + 1, cli.positionals.end());
  merge_results(cli.positionals[0], inputs);
  std::printf("merged %zu folders into %s\n", inputs.size(), cli.positionals[0].c_str());
  return 0;
}

}  // namespace pevlm
