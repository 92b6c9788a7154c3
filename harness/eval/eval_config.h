// `pevlm eval` configuration (configs/demo.yaml, configs/paper/*.yaml): model folder, dataset,
// protocol, method list (sweeps), generation and execution settings. Unknown keys are errors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/longvideobench/protocol.h"
#include "decoders/decoder_registry.h"
#include "harness/device_spec.h"
#include "methods/method_registry.h"
#include "reduction/reduction_registry.h"

namespace pevlm {

struct EvalConfig {
  std::string description;
  std::filesystem::path model;        // Hugging Face folder (config.json, *.safetensors, tokenizer.json)
  nlohmann::json model_options = nlohmann::json::object();  // `model_options:` the family's (e.g. llava_video pool_mode)
  std::filesystem::path dataset_root; // <root>/lvb_val.json, <root>/videos, <root>/subtitles
  std::string split = "val";          // val | test
  int64_t limit = 0;                  // first N samples of the shard (0 = all)
  lvb::Protocol protocol;
  std::vector<MethodConfig> methods;
  // `decoder:` (one mapping or a list; list values sweep): every method runs with every decoder.
  std::vector<DecoderConfig> decoders = {DecoderConfig{}};
  // `reduction:` (one mapping or a list; list values sweep; reduction/reduction_registry.h): every method and
  // decoder runs on every reduction of the prompt (default: none).
  std::vector<reduction::ReductionConfig> reductions = {reduction::ReductionConfig{}};
  DeviceSpec device;                  // `device:` (cpu | cuda | cuda:N; --device overrides), checked
  std::string executor = "auto";      // kernel family; auto -> the device's default; checked against device
  std::string dtype = "auto";         // auto (checkpoint's torch_dtype) | bf16 | fp32
  bool embedding_cache = true;
  std::filesystem::path cache_dir;    // default <out>/../embedding_cache
  int threads = 0;
  nlohmann::json resolved;            // the whole configuration after defaults
  // The settings that make result rows comparable (resume/merge check): everything but methods and decoders.
  nlohmann::json run_settings() const;
};

EvalConfig parse_eval_config(const nlohmann::json& doc, const std::string& source, const std::filesystem::path& base_dir);
EvalConfig load_eval_config(const std::filesystem::path& path);

}  // namespace pevlm
