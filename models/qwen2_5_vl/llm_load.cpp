// Qwen2.5-VL's LLM from its folder; see llm_load.h.
#include "models/qwen2_5_vl/llm_load.h"

#include <utility>

#include "attention/devices.h"
#include "models/qwen2_5_vl/config.h"
#include "models/safetensors/safetensors.h"

namespace pevlm::qwen2_5_vl {

llm::Decoder load_llm(const std::string& model_dir, llm::DecoderOptions options) {
  options.device = attention::indexed_device(options.device);
  Qwen25VLConfig config = load_config(model_dir);
  safetensors::Checkpoint checkpoint = safetensors::Checkpoint::open(model_dir);
  llm::Weights weights = llm::load_weights(checkpoint, config.text, options.dtype, options.device);
  return llm::Decoder(config.text, std::move(weights), options);
}

}  // namespace pevlm::qwen2_5_vl
