// `pevlm make-synthetic-lvb` and `pevlm make-synthetic-dataset`: parse the arguments (harness/cli_args.h)
// and call the generators (datasets/synthetic/). Exit status 2 for bad arguments (with the usage), 1 when
// generation fails (an unwritable folder, an encoder error).
#include <iostream>
#include <stdexcept>

#include "datasets/synthetic/synthetic_formats.h"
#include "datasets/synthetic/synthetic_lvb.h"
#include "harness/cli_args.h"
#include "harness/commands.h"

namespace pevlm {
namespace {

struct SyntheticArgs {
  std::string dir, format;
  int videos = 8;
  uint64_t seed = 0;
};

// DIR [--videos N >= 1] [--seed S] (+ --format when `with_format`).
SyntheticArgs parse_synthetic_args(const std::vector<std::string>& args, const CliSpec& spec, bool with_format) {
  const CliArgs cli = parse_cli(args, spec);
  SyntheticArgs out;
  out.dir = cli_single_positional(cli, "DIR");
  const uint64_t videos = cli_uint(cli, "--videos", uint64_t(out.videos));
  if (videos < 1 || videos > 100000) throw std::invalid_argument("--videos expects 1 ... 100000, got " + std::to_string(videos));
  out.videos = int(videos);
  out.seed = cli_uint(cli, "--seed", 0);
  if (with_format) {
    out.format = cli.get("--format");
    if (out.format.empty()) throw std::invalid_argument("missing --format (lvb, videomme, mlvu or lvbench)");
  }
  return out;
}

int usage_error(const char* command, const std::exception& e, const CliSpec& spec) {
  const std::string what = e.what();
  std::cerr << command << ": " << what << (what.find("usage:") == std::string::npos ? "\nusage: " + spec.usage : "") << "\n";
  return 2;
}

}  // namespace

int run_make_synthetic_lvb_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm make-synthetic-lvb DIR [--videos N] [--seed S]", {"--videos", "--seed"}, {}, {}};
  SyntheticArgs a;
  try {
    a = parse_synthetic_args(args, spec, false);
  } catch (const std::exception& e) {  // invalid_argument from the parser and the checks above
    return usage_error("make-synthetic-lvb", e, spec);
  }
  try {
    const synthetic::SyntheticLvbSummary s = synthetic::make_synthetic_lvb(a.dir, a.videos, a.seed);
    std::cout << "make-synthetic-lvb: wrote " << s.video_ids.size() << " videos (" << s.codec << "), " << s.questions
              << " questions, " << s.bytes << " bytes to " << s.dir << " (seed " << s.seed << ")\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make-synthetic-lvb: error: " << e.what() << "\n";
    return 1;
  }
}

int run_make_synthetic_dataset_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm make-synthetic-dataset --format lvb|videomme|mlvu|lvbench DIR [--videos N] [--seed S]",
                     {"--format", "--videos", "--seed"}, {}, {}};
  SyntheticArgs a;
  try {
    a = parse_synthetic_args(args, spec, true);
  } catch (const std::exception& e) {
    return usage_error("make-synthetic-dataset", e, spec);
  }
  try {
    const synthetic::SyntheticDatasetSummary s = synthetic::make_synthetic_dataset(a.format, a.dir, a.videos, a.seed);
    std::cout << "make-synthetic-dataset: wrote " << s.format << " with " << s.videos << " videos (" << s.codec << "), "
              << s.questions << " questions to " << s.dir << " (seed " << a.seed << ")\n";
    return 0;
  } catch (const std::invalid_argument& e) {  // an unknown format, listing the valid ones
    return usage_error("make-synthetic-dataset", e, spec);
  } catch (const std::exception& e) {
    std::cerr << "make-synthetic-dataset: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace pevlm
