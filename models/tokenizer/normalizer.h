// Unicode NFC normalisation (the Qwen2 tokenizer.json "normalizer": {"type": "NFC"}).
#pragma once

#include <string>
#include <string_view>

namespace pevlm::tokenizer {

// NFC form of valid UTF-8 `text`. ASCII text is returned unchanged without calling utf8proc.
// Throws std::invalid_argument (naming the byte offset) on invalid UTF-8.
std::string nfc(std::string_view text);

// True for code points that NFC leaves alone in any context: combining class 0, no change under NFC,
// and never the second element of a canonical composition (ASCII/Latin-1/Latin Extended, Cyrillic,
// kana, CJK ideographs, Hangul syllables, common punctuation, fullwidth forms, emoji). A text made
// only of these is already NFC. The ranges are checked against utf8proc by the tests.
bool nfc_stable(char32_t cp);

}  // namespace pevlm::tokenizer
