// pevlm: the harness executable. `pevlm <command> [args]`; `pevlm help` lists the commands.
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/commands.h"
#include "harness/huge_pages.h"
#ifdef PEVLM_WITH_REPORT
#include "harness/report/report_command.h"
#endif
#ifdef PEVLM_WITH_SIMULATE
#include "harness/simulate/simulate_command.h"
#endif

namespace {

struct Command {
  std::function<int(const std::vector<std::string>&)> run;
  const char* help;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"speed", {pevlm::run_speed_command, "attention-only timing of method plans (--config FILE [--out DIR])"}},
      {"methods", {pevlm::run_methods_command, "list the attention methods and their parameters"}},
      {"plan", {pevlm::run_plan_command, "print a method's plan on a small layout (--method NAME [--set k=v])"}},
#ifdef PEVLM_WITH_MODELS
      // merge lives with eval (harness/eval/eval_command.cpp), absent in PEVLM_CORE_ONLY builds
      {"merge", {pevlm::run_merge_command, "combine shard outputs (OUT IN...)"}},
      {"eval", {pevlm::run_eval_command, "benchmark evaluation: LongVideoBench, Video-MME, MLVU, LVBench (--config FILE [--out DIR] [--shard i/n] [--limit N])"}},
      {"analyze", {pevlm::run_analyze_command, "attention mass per prompt span, divergence from full attention, sink chooser (--config FILE [--out DIR] [--suggest-sink])"}},
      {"generate", {pevlm::run_generate_command, "one-off answer for a video (--model DIR --video FILE --question TEXT)"}},
      {"make-tiny-model", {pevlm::run_make_tiny_model_command,
                           "write a tiny random checkpoint (DIR [--family qwen2_5_vl|qwen3_vl|llava_video|longvila] [--seed N] [--size base|small])"}},
      {"make-synthetic-lvb", {pevlm::run_make_synthetic_lvb_command, "write a synthetic LongVideoBench dataset (DIR [--videos N] [--seed S]; = make-synthetic-dataset --format lvb)"}},
      {"make-synthetic-dataset", {pevlm::run_make_synthetic_dataset_command,
                                  "write a synthetic dataset in a release's format (--format lvb|videomme|mlvu|lvbench DIR [--videos N] [--seed S])"}},
#endif
#ifdef PEVLM_WITH_REPORT
      {"report", {pevlm::run_report_command, "accuracy / latency-cap / speed tables from a results folder (DIR)"}},
#endif
#ifdef PEVLM_WITH_SIMULATE
      {"simulate", {pevlm::run_simulate_command, "predict latency on another device (--results FILE --device PROFILE)"}},
#endif
  };
  return table;
}

int usage(FILE* out) {
  std::fprintf(out, "usage: pevlm <command> [args]\ncommands:\n");
  for (const auto& [name, cmd] : commands()) std::fprintf(out, "  %-20s %s\n", name.c_str(), cmd.help);
  return out == stderr ? 2 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (RLIMIT_FSIZE) would kill the process with SIGXFSZ in the middle of a row;
  // ignored, write() fails with EFBIG and the results store reports it and keeps its file whole.
  std::signal(SIGXFSZ, SIG_IGN);
  pevlm::enable_tensor_huge_pages();
  if (argc < 2) return usage(stderr);
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return usage(stdout);
  auto it = commands().find(name);
  if (it == commands().end()) {
    std::fprintf(stderr, "pevlm: unknown command '%s'\n", name.c_str());
    return usage(stderr);
  }
  try {
    return it->second.run(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pevlm %s: error: %s\n", name.c_str(), e.what());
    return 1;
  }
}
