// UTF-8 helpers and the GPT-2 byte <-> unicode map used by byte-level BPE vocabularies.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pevlm::tokenizer {

// Appends the UTF-8 encoding of code point `cp` (must be a valid scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

// Byte offset of the first invalid UTF-8 sequence in `s`, or std::string_view::npos when valid.
size_t find_invalid_utf8(std::string_view s);

// Replaces every maximal invalid subsequence with U+FFFD, like Rust's String::from_utf8_lossy
// (what the Hugging Face ByteLevel decoder does with partial multi-byte tokens).
std::string utf8_lossy(std::string_view bytes);

// GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100.. in byte order, so every byte becomes a visible character in vocab.json.
// Compare openai/gpt-2 encoder.py and transformers' models/gpt2/tokenization_gpt2.py.
const std::array<char32_t, 256>& byte_to_unicode();

// The 256 bytes in GPT-2 vocabulary order (printable ranges first, then the rest): the order in
// which byte tokens get ids 0..255 in GPT-2 / Qwen2 vocabularies.
std::array<uint8_t, 256> bytes_in_vocab_order();

// Token text in vocabulary form ("Ġworld") -> raw bytes (" world"). Returns false when a character
// is not in the byte map (not a byte-level token).
bool vocab_form_to_bytes(std::string_view token, std::string& bytes);

// Raw bytes -> vocabulary form.
std::string bytes_to_vocab_form(std::string_view bytes);

}  // namespace pevlm::tokenizer
