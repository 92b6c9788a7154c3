#include "harness/simulate/simulate_command.h"

#include <filesystem>
#include <iostream>

#include "harness/cli_args.h"
#include "harness/config_io.h"
#include "harness/provenance.h"
#include "harness/report/latency_caps.h"
#include "harness/report/report_tables.h"
#include "harness/report/results_io.h"
#include "harness/simulate/simulate.h"

namespace pevlm {

int run_simulate_command(const std::vector<std::string>& args) {
  const CliSpec spec{
      "pevlm simulate (--results FILE | --paper-check) --device PROFILE.yaml [--caps 20,30,40] [--out DIR]",
      {"--results", "--device", "--caps", "--out"}, {"--paper-check"}, {}};
  const CliArgs cli = parse_cli(args, spec);
  const std::filesystem::path profile_path = cli.require("--device", spec.usage);
  const DeviceProfile dev = load_device_profile(profile_path);
  const nlohmann::json generated = {{"utc_time", utc_now()}, {"commit", git_commit()}, {"device_profile", profile_path.string()}};
  const std::string stamp = "\nGenerated " + generated["utc_time"].get<std::string>() + " at commit " +
                            generated["commit"].get<std::string>() + " from " + profile_path.string() + ".\n";
  nlohmann::json out;
  std::string md, stem;
  if (cli.flag("--paper-check")) {
    if (cli.has("--results")) throw std::invalid_argument("--paper-check and --results are exclusive; usage: " + spec.usage);
    out = paper_check(dev);
    md = paper_check_markdown(out);
    stem = dev.name.empty() ? "paper_check" : dev.name + "_check";
  } else {
    const std::filesystem::path results = cli.require("--results", spec.usage);
    const ResultSet rs = load_results_jsonl(results);
    for (const auto& w : rs.warnings) std::cerr << "pevlm simulate: warning: " << w << "\n";
    out = simulate_report(rs.rows, dev, parse_caps(cli.get("--caps", "20,30,40")));
    out["results"] = results.string();
    out["warnings"] = rs.warnings;
    md = simulate_markdown(out);
    stem = "simulate";
  }
  out["generated"] = generated;
  md += stamp;
  if (cli.has("--out")) {
    const std::filesystem::path dir = cli.get("--out");
    std::filesystem::create_directories(dir);
    write_text_file(dir / (stem + ".md"), md);
    write_text_file(dir / (stem + ".json"), out.dump(2) + "\n");
    if (out.contains("samples")) write_text_file(dir / "simulate.csv", to_csv(table_columns(out["samples"]), out["samples"]["rows"]));
    std::cerr << "pevlm simulate: wrote " << (dir / (stem + ".md")).string() << " and .json\n";
  }
  std::cout << md;
  return 0;
}

}  // namespace pevlm
