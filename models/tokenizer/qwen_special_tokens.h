// The added tokens of the released Qwen2.5-VL tokenizer (tokenizer_config.json added_tokens_decoder,
// ids 151643..151664). <tool_call> .. <|file_sep|> are added but not special there.
#pragma once

#include <cstdint>
#include <vector>

#include "models/tokenizer/added_tokens.h"

namespace pevlm::tokenizer {

// Qwen2's base vocabulary size (vocab.json entries); the added tokens start here.
inline constexpr int32_t kQwen2BaseVocabSize = 151643;

// Returns the 22 Qwen2.5-VL added tokens with ids starting at `first_id` (151643 for the real model;
// the tiny test model remaps them right after its own base vocabulary).
std::vector<AddedToken> qwen2_5_vl_added_tokens(int32_t first_id = kQwen2BaseVocabSize);

}  // namespace pevlm::tokenizer
