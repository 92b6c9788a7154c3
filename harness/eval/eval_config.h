// `pevlm eval` configuration (configs/demo.yaml, configs/paper/*.yaml): model folder, dataset,
// protocol, method list (sweeps), generation and execution settings. Unknown keys are errors.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/dataset/benchmark.h"
#include "decoders/decoder_registry.h"
#include "harness/device_spec.h"
#include "harness/eval/protocol_card.h"
#include "methods/method_registry.h"
#include "reduction/reduction_registry.h"

namespace pevlm {

struct EvalConfig {
  std::string description;
  std::filesystem::path model;        // Hugging Face folder (config.json, *.safetensors, tokenizer.json)
  nlohmann::json model_options = nlohmann::json::object();  // `model_options:` the family's (e.g. llava_video pool_mode)
  // `dataset: {benchmark, root, split, limit}` + `protocol:` (a mapping {name, keys...}, or a card's name:
  // configs/protocols/<card>.yaml). Opened through the registry (datasets/registry/registry.h).
  datasets::DatasetSpec dataset;
  std::filesystem::path dataset_root; // = dataset.root
  std::string split = "val";          // = dataset.split after defaults (the benchmark's first split)
  int64_t limit = 0;                  // first N samples of the shard (0 = all)
  nlohmann::json protocol;            // the protocol in full, validated (what rows record)
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
  // `prefix_reuse:` (default true; --no-prefix-reuse): the questions of one video share one prefill of the
  // prompt before the question, per method configuration (harness/eval/prefix_reuse.h). Not a run setting:
  // rows say whether their prefix was reused, and runs with and without it resume and merge together.
  bool prefix_reuse = true;
  std::filesystem::path cache_dir;    // default <out>/../embedding_cache
  int threads = 0;
  nlohmann::json resolved;            // the whole configuration after defaults
  // The settings that make result rows comparable (resume/merge check): everything but methods and decoders.
  nlohmann::json run_settings() const;
};

EvalConfig parse_eval_config(const nlohmann::json& doc, const std::string& source, const std::filesystem::path& base_dir);

}  // namespace pevlm
