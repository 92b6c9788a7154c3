#include "harness/report/report_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "harness/cli_args.h"
#include "harness/config_io.h"
#include "harness/provenance.h"
#include "harness/report/report_builder.h"

namespace pevlm {
namespace {

// A whole number >= min for a flag; std::invalid_argument naming the flag otherwise.
int64_t parse_count(const std::string& text, const char* flag, int64_t min) {
  size_t used = 0;
  int64_t v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < min)
    throw std::invalid_argument(std::string(flag) + ": expected a whole number >= " + std::to_string(min) + ", got '" +
                                text + "'");
  return v;
}

}  // namespace

int run_report_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm report DIR [--caps 20,30,40] [--latency model|with_decode_video] [--speed FILE] "
                     "[--bootstrap 2000] [--bootstrap-seed 24] [--allow-mixed-protocols]",
                     {"--caps", "--latency", "--speed", "--bootstrap", "--bootstrap-seed"}, {"--allow-mixed-protocols"}, {}};
  const CliArgs cli = parse_cli(args, spec);
  if (cli.positionals.size() != 1) throw std::invalid_argument("usage: " + spec.usage);
  const std::filesystem::path dir = cli.positionals[0];
  const std::filesystem::path results_path = dir / "results.jsonl";
  if (!std::filesystem::exists(results_path)) throw std::runtime_error(results_path.string() + ": not found (expected the rows of pevlm eval)");
  const ResultSet results = load_results_jsonl(results_path);
  for (const auto& w : results.warnings) std::cerr << "pevlm report: warning: " << w << "\n";

  ReportOptions options;
  options.caps_s = parse_caps(cli.get("--caps", "20,30,40"));
  options.latency = parse_latency_mode(cli.get("--latency", "model"));
  options.allow_mixed_protocols = cli.flag("--allow-mixed-protocols");
  options.stats.bootstrap_resamples = parse_count(cli.get("--bootstrap", "2000"), "--bootstrap", 1);
  options.stats.bootstrap_seed = uint64_t(parse_count(cli.get("--bootstrap-seed", "24"), "--bootstrap-seed", 0));
  const std::filesystem::path speed = cli.has("--speed") ? std::filesystem::path(cli.get("--speed")) : dir / "speed.json";
  if (cli.has("--speed") || std::filesystem::exists(speed)) {
    options.speed_rows = load_speed_json(speed);
    options.speed_source = speed.string();
  }
  for (const std::string& img : known_plot_images())
    if (std::filesystem::exists(dir / img)) options.plot_images.push_back(img);
  std::vector<std::string> pareto_images;  // accuracy_vs_prefill_<group>.png, one per duration group
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (is_pareto_plot_image(entry.path().filename().string())) pareto_images.push_back(entry.path().filename().string());
  std::sort(pareto_images.begin(), pareto_images.end());
  options.plot_images.insert(options.plot_images.end(), pareto_images.begin(), pareto_images.end());

  nlohmann::json report = build_report(results, options);
  report["generated"] = {{"utc_time", utc_now()}, {"commit", git_commit()}, {"command", "pevlm report " + dir.string()},
                         {"results", results_path.string()}};
  const std::string md = "# pevlm report: " + dir.string() + "\n\nGenerated " + utc_now() + " by pevlm report at commit " +
                         git_commit() + " from " + results_path.string() + ".\n\n" + render_report_body(report);
  write_text_file(dir / "report.md", md);
  write_text_file(dir / "report.csv", render_report_csv(report));
  write_text_file(dir / "report.json", report.dump(2) + "\n");
  std::cout << "pevlm report: " << results.rows.size() << " rows -> " << (dir / "report.md").string() << ", report.csv, report.json\n";
  return 0;
}

}  // namespace pevlm
