// Writes a small but real byte-level BPE tokenizer.json for the tiny random test model
// (`pevlm make-tiny-model`): the 256 byte tokens, BPE merges learned deterministically from English
// text, and the Qwen2.5-VL added tokens remapped to the ids right after the base vocabulary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "models/tokenizer/added_tokens.h"

namespace pevlm::tokenizer {

struct TinyTokenizerOptions {
  int num_merges = 300;         // at most this many (fewer when the text runs out of repeated pairs)
  bool string_merges = false;   // "a b" strings (tokenizers < 0.20) instead of ["a", "b"] pairs
  std::string training_text;    // empty = built-in English text (includes the LongVideoBench prompt words)
  // Special tokens added after the Qwen2.5-VL ones (e.g. "<image>", "<video>" of transformers' LLaVA-OneVision
  // conversion, which adds them to the Qwen2 tokenizer).
  std::vector<std::string> extra_special_tokens;
  // > 0: pad the vocabulary up to this many ids with plain (non-special) filler tokens "<fill_N>" (id N)
  // after the added tokens, so that every id of a model with a larger embedding table decodes
  // (make-tiny-model --preset: the real 152,064-word lm_head with this small BPE; a random-weight model
  // generates arbitrary ids). BPE never produces them when encoding (no merge builds them). Fewer ids
  // than the tokenizer's own is std::invalid_argument.
  int32_t vocab_size = 0;
};

struct TinyTokenizerInfo {
  int32_t base_vocab_size = 0;                 // 256 + merges; the added tokens start here
  int32_t vocab_size = 0;                      // base + 22 added tokens (+ extra_special_tokens, + fillers up to options.vocab_size)
  std::map<std::string, int32_t> special_ids;  // "<|im_start|>" -> id, for every added token
  std::vector<AddedToken> added;               // every added token in id order
};

// Learns merges (most frequent adjacent pair within pre-tokenised words; ties to the smallest ids),
// writes `path` (parent folders must exist) and returns the ids. Throws std::runtime_error naming
// the file when it cannot be written. Same options -> byte-identical file.
TinyTokenizerInfo write_tiny_tokenizer_json(const std::filesystem::path& path, const TinyTokenizerOptions& options = {});

// Writes one JSON file of a tiny checkpoint (2-space indent, trailing newline, as save_pretrained does);
// every family's tiny writer uses it. Throws naming the file.
template <class Json = nlohmann::json>  // the default lets callers pass a braced initializer
void write_tiny_json(const std::filesystem::path& path, const Json& j) {
  std::ofstream out(path, std::ios::binary);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("make-tiny-model: cannot write " + path.string());
}

}  // namespace pevlm::tokenizer
