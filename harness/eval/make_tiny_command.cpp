// `pevlm make-tiny-model DIR [--family F] ...`: each family's tiny-checkpoint writer, through the
// model registry (models/video_lm/registry.h, which owns the families' options).
#include "harness/commands.h"
#include "models/video_lm/registry.h"

namespace pevlm {

int run_make_tiny_model_command(const std::vector<std::string>& args) { return run_tiny_model_writer(args); }

}  // namespace pevlm
