// `pevlm make-tiny-model DIR [--family F] ...`: parses the arguments (harness/cli_args.h) into a
// TinyModelRequest and hands it to the model registry's writer (models/video_lm/registry.h), which
// owns the families and checks which options each takes.
#include <iostream>
#include <stdexcept>

#include "harness/cli_args.h"
#include "harness/commands.h"
#include "models/video_lm/registry.h"

namespace pevlm {

int run_make_tiny_model_command(const std::vector<std::string>& args) {
  const CliSpec spec{"pevlm make-tiny-model DIR [--family " + tiny_model_families_text() +
                         "] [--seed N] [--dtype bf16|f32] [--layout lmms_lab|onevision] (llava_video) "
                         "[--size base|small] [--preset NAME] [--shard-mb N] (qwen2_5_vl)",
                     {"--family", "--layout", "--seed", "--dtype", "--size", "--preset", "--shard-mb"}, {}, {}};
  std::string dir;
  TinyModelRequest request;
  TinyModelWritten written;
  try {
    const CliArgs cli = parse_cli(args, spec);
    dir = cli_single_positional(cli, "DIR");
    request.family = cli.get("--family", request.family);
    request.layout = cli.get("--layout", request.layout);
    request.seed = cli_uint(cli, "--seed", request.seed);
    const std::string dtype = cli.get("--dtype", "bf16");
    if (dtype != "bf16" && dtype != "f32") throw std::invalid_argument("--dtype '" + dtype + "' (valid: bf16, f32)");
    request.bf16 = dtype == "bf16";
    request.size = cli.get("--size", request.size);
    request.preset = cli.get("--preset", request.preset);
    const uint64_t shard_mb = cli_uint(cli, "--shard-mb", 0);
    if (shard_mb > (uint64_t(1) << 40)) throw std::invalid_argument("--shard-mb " + std::to_string(shard_mb) + " is too large");
    request.shard_bytes = int64_t(shard_mb) << 20;
    written = write_tiny_model(dir, request);  // std::invalid_argument: an option the family does not take
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    std::cerr << "make-tiny-model: " << what << (what.find("usage:") == std::string::npos ? "\nusage: " + spec.usage : "") << "\n";
    return 2;
  }
  std::cout << "wrote " << written.summary << " to " << dir << "\n";
  for (const std::string& f : written.files) std::cout << "  " << f << "\n";
  return 0;
}

}  // namespace pevlm
