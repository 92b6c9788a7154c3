#include "harness/report/report_command.h"

#include <filesystem>
#include <iostream>

#include "harness/cli_args.h"
#include "harness/config_io.h"
#include "harness/provenance.h"
#include "harness/report/report_builder.h"

namespace pevlm {

int run_report_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm report DIR [--caps 20,30,40] [--latency model|with_decode_video] [--speed FILE]",
                     {"--caps", "--latency", "--speed"}, {}, {}};
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
  const std::filesystem::path speed = cli.has("--speed") ? std::filesystem::path(cli.get("--speed")) : dir / "speed.json";
  if (cli.has("--speed") || std::filesystem::exists(speed)) {
    options.speed_rows = load_speed_json(speed);
    options.speed_source = speed.string();
  }
  for (const std::string& img : known_plot_images())
    if (std::filesystem::exists(dir / img)) options.plot_images.push_back(img);

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
