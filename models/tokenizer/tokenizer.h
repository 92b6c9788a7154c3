// Byte-level BPE tokenizer (Qwen2 / Qwen2.5-VL, GPT-2 family) loaded from a Hugging Face
// tokenizer.json or from vocab.json + merges.txt. Torch-free.
//
// Encoding mirrors tokenizers' pipeline: added tokens split first (raw text, leftmost-longest)
// -> NFC -> regex pre-tokenizer (Split, Isolated) -> byte-level BPE by merge rank. No unk, no
// byte fallback, no post-processor (Qwen2 adds no BOS/EOS). See reference/qwen2_5_vl.md, Tokenizer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/tokenizer/added_tokens.h"

namespace pevlm::tokenizer {

// Everything a tokenizer is built from, in vocabulary form (GPT-2 byte-to-unicode strings).
struct TokenizerSpec {
  std::string source;                                     // file or folder, named in errors
  std::vector<std::pair<std::string, int32_t>> vocab;     // "Ġworld" -> 1879
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::vector<AddedToken> added;
  std::string pattern;  // pre-tokenizer regex
  bool nfc = true;      // normalizer NFC (else none)
};

class Tokenizer {
 public:
  // `path`: a tokenizer.json file, or a folder holding tokenizer.json, or vocab.json + merges.txt
  // (added tokens from tokenizer_config.json's added_tokens_decoder, else the Qwen2.5-VL ones when
  // the vocabulary has Qwen2's 151,643 entries). Throws std::runtime_error naming file and key.
  static Tokenizer load(const std::filesystem::path& path);
  static Tokenizer from_tokenizer_json(const std::filesystem::path& file);
  static Tokenizer from_vocab_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt,
                                     const std::filesystem::path& tokenizer_config_json = {});
  // Builds from parts; validates ids and merges (errors name spec.source).
  static Tokenizer from_spec(const TokenizerSpec& spec);

  // Token ids of `text` (valid UTF-8; std::invalid_argument otherwise). With allow_special = false,
  // special added tokens in the text are encoded as plain text.
  std::vector<int32_t> encode(std::string_view text, bool allow_special = true) const;
  // Text of `ids`; invalid UTF-8 from partial multi-byte tokens becomes U+FFFD (like tokenizers'
  // ByteLevel decoder). Unknown id -> std::out_of_range.
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const;
  // Raw bytes of `ids`, no replacement (for streaming decoders that join pieces themselves).
  std::string decode_bytes(std::span<const int32_t> ids, bool skip_special = false) const;

  // Id of a token in vocabulary form ("Ġworld", "<|im_start|>"); throws std::out_of_range naming it.
  int32_t token_id(std::string_view token) const;
  // Vocabulary form of `id` (what tokenizers' id_to_token returns); throws std::out_of_range.
  const std::string& token_text(int32_t id) const;
  // Largest known id + 1 (base vocabulary + added tokens; 151,665 for Qwen2.5-VL).
  int32_t vocab_size() const;
  bool is_special(int32_t id) const;
  const std::vector<AddedToken>& added_tokens() const;
  const std::string& pattern() const;
  const std::string& source() const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // immutable after construction; shared by copies
};

}  // namespace pevlm::tokenizer
