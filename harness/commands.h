// Subcommands of the `pevlm` executable; each takes the arguments after its name and returns the
// exit code. main.cpp maps names to these.
#pragma once

#include <string>
#include <vector>

namespace pevlm {

int run_speed_command(const std::vector<std::string>& args);
int run_methods_command(const std::vector<std::string>& args);
int run_plan_command(const std::vector<std::string>& args);
int run_eval_command(const std::vector<std::string>& args);
int run_merge_command(const std::vector<std::string>& args);
int run_generate_command(const std::vector<std::string>& args);
int run_analyze_command(const std::vector<std::string>& args);  // harness/analyze/ (models builds)
// `pevlm make-tiny-model DIR [--family qwen2_5_vl|qwen3_vl|llava_video|longvila] [family options]`.
int run_make_tiny_model_command(const std::vector<std::string>& args);
// `pevlm make-synthetic-lvb DIR [--videos N] [--seed S]` and `pevlm make-synthetic-dataset --format F DIR ...`:
// 0 on success, 2 for bad arguments (usage on stderr), 1 when generation fails.
int run_make_synthetic_lvb_command(const std::vector<std::string>& args);
int run_make_synthetic_dataset_command(const std::vector<std::string>& args);

}  // namespace pevlm
