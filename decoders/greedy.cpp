// Greedy autoregressive decoding (llm::Decoder::generate): argmax of every step's logits, ties to the
// lowest id; the reference every speculative decoder must reproduce token for token.
#include "decoders/decoder_registry.h"

namespace pevlm {

DecoderSpec greedy_decoder() {
  return DecoderSpec{"greedy", "greedy autoregressive decoding, one dense forward pass per token", {}, false, {}};
}

}  // namespace pevlm
