// `pevlm speed --config FILE [--out DIR] [--set key=value ...]`: attention-only (or, with `model:`,
// whole-LLM prefill) timing per method configuration at a real layer shape; streams each row to
// speed.jsonl as it finishes, then writes speed.json / speed.csv / speed.md and prints the table.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "harness/cli_args.h"
#include "harness/commands.h"
#include "harness/config_io.h"
#include "harness/device_spec.h"
#include "harness/eval/jsonl_appender.h"
#include "harness/speed/speed_runner.h"
#include "harness/table.h"

namespace pevlm {
namespace {

// ", huge pages for tensors on (THP: always [madvise] never)" where the row recorded it.
std::string huge_pages_note(const nlohmann::json& machine) {
  if (!machine.contains("huge_pages")) return "";
  const auto& h = machine["huge_pages"];
  return ", huge pages for tensors " + h.value("tensors", std::string("?")) + " (THP: " + h.value("kernel_thp", std::string("?")) + ")";
}

// Attention-only rows: attn ms = one layer. LLM rows (`model:`): attn ms = all layers' attention,
// plus other ms (non-attention prefill), LLM ms and the LLM speedup, all scaled to the full depth.
std::vector<Column> speed_columns(bool llm) {
  std::vector<Column> cols = {
      {"label", "method"},
      {"tokens", "tokens"},
      {"token_counts.sink", "sink"},
      {"token_counts.num_blocks", "blocks"},
      {"attn_ms", llm ? "attn ms (LLM)" : "attn ms", 1},
      {"speedup_vs_full", "speedup", 2},
  };
  if (llm) {
    cols.insert(cols.end(), {{"other_ms", "other ms", 1}, {"llm_ms", "LLM ms", 1}, {"llm_speedup_vs_full", "LLM speedup", 2},
                             {"layer_attn_ms", "attn ms/layer", 1}});
  }
  cols.insert(cols.end(), {{"flop_ratio_vs_full", "FLOP ratio", 2},
                           {"speedup_over_flop_ratio", "speedup / FLOP ratio", 2}});
  if (!llm) cols.push_back({"speedup_over_flop_ratio_paired", "paired / FLOP ratio", 2});
  cols.insert(cols.end(), {
                           {"gflops_per_s", "GFLOP/s", 1},
                           {"efficiency", "efficiency", 2},
                           {"gflop_executed", "GFLOP", 1},
                           {"gemm_gflops_per_s", "GEMM GFLOP/s", 1},
                           {"dtype", "dtype"},
                           {"kernel", "kernel"}});
  return cols;
}

std::string speed_markdown(const SpeedConfig& config, const std::vector<nlohmann::json>& rows) {
  const bool llm = config.time_llm();
  std::string md = llm ? "# pevlm speed: whole-LLM prefill timing\n\n" : "# pevlm speed: attention-only prefill timing\n\n";
  if (!config.description.empty()) md += config.description + "\n\n";
  if (!rows.empty()) {
    const auto& p = rows.front()["provenance"];
    md += "- machine: " + p["machine"]["cpu"].get<std::string>() + ", " + p["machine"]["cores"].dump() + " cores, ISA " +
          p["machine"]["isa"].get<std::string>() + huge_pages_note(p["machine"]) + "\n";
    md += "- commit " + p["commit"].get<std::string>() + ", libtorch " + p["versions"]["libtorch"].get<std::string>() + ", " +
          p["utc_time"].get<std::string>() + "\n";
    md += "- shape: " + rows.front()["shape"].dump() + ", dtype " + config.dtype + ", executor " + config.executor +
          ", median of " + std::to_string(config.repeats) + " after " + std::to_string(config.warmup) + " warm-up\n";
    md += "- GEMM limit (same run): " + rows.front()["gemm"].dump() + "\n";
    md += "- speedup = full attn ms / method attn ms; FLOP ratio = full FLOPs / method FLOPs (the speedup limit); "
          "speedup / FLOP ratio = how much of that limit the executor delivers; efficiency = GFLOP/s / GEMM GFLOP/s (per layer)\n";
    if (!llm)
      md += "- timing order: interleaved (each repeat times every method once); paired = the median over repeats of full's "
            "time / the method's time in the same repeat, divided by the FLOP ratio (robust to a machine whose speed drifts)\n";
    if (llm) {
      const auto& r = rows.front();
      md += "- LLM: " + r["model"].get<std::string>() + ", " + r["scaling"].get<std::string>() + ", random weights, " +
            config.llm_dtype + "; attn ms = attention of all layers, other ms = the rest of the prefill (projections, " +
            "RoPE, norms, MLP), LLM ms = attn + other, lm_head " + r["lm_head"].get<std::string>() + ", " +
            "LLM speedup = full LLM ms / method LLM ms; star recompute_anchor adds its anchor tokens' linear work to " +
            "other ms (scaled per token, not measured)\n";
    }
    md += "\n";
  }
  return md + to_markdown(speed_columns(llm), rows);
}

}  // namespace

int run_speed_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm speed --config FILE [--out DIR] [--device cpu|cuda|cuda:N] [--set key=value ...]",
                     {"--config", "--out", "--device"}, {}, {"--set"}};
  const CliArgs cli = parse_cli(args, spec);
  const std::filesystem::path config_path = cli.require("--config", spec.usage);
  nlohmann::json doc = load_yaml_file(config_path);
  const nlohmann::json overrides = parse_overrides(cli.repeated.count("--set") ? cli.repeated.at("--set") : std::vector<std::string>{});
  doc.merge_patch(overrides);
  // --device (or `device:`) is checked as for eval: the config's executor must run there (an executor
  // left out gets the device's default); a conflict is an error rather than a silent switch.
  if (cli.has("--device")) doc["device"] = cli.get("--device");
  if (doc.contains("device")) {
    const DeviceSpec device = resolve_device(doc["device"].get<std::string>());
    doc["executor"] = resolve_executor(doc.value("executor", std::string("auto")), device);
    doc["device"] = device.name;  // indexed ("cuda" -> "cuda:0"); inputs, weights and timers go there
  }
  const SpeedConfig config = parse_speed_config(doc, config_path.string());
  const std::filesystem::path out = cli.get("--out", "results/tmp/speed");
  std::filesystem::create_directories(out);
  write_text_file(out / "config.resolved.json", config.resolved.dump(2) + "\n");

  // Each row reaches speed.jsonl (written and fsync'ed) as soon as it is measured: an exception, a
  // kill or a timeout later in the run keeps every finished row. The tables follow at the end.
  JsonlAppender streamed(out / "speed.jsonl", /*truncate=*/true);
  const std::vector<nlohmann::json> rows =
      run_speed(config, [&](const nlohmann::json& row) { streamed.append(row, "the speed row " + row["label"].get<std::string>()); });
  write_text_file(out / "speed.json", nlohmann::json(rows).dump(2) + "\n");
  write_text_file(out / "speed.csv", to_csv(speed_columns(config.time_llm()), rows));
  const std::string md = speed_markdown(config, rows);
  write_text_file(out / "speed.md", md);
  std::cout << md << "\nwrote " << (out / "speed.json").string() << ", speed.jsonl, speed.csv, speed.md\n";
  return 0;
}

}  // namespace pevlm
