// Python str operations on UTF-8 text, as the reference extractors (Python) apply them to a model's
// output (library pevlm_answers). Code points are decoded from UTF-8; a byte that does not start a valid
// sequence is one unit of its own that is neither space nor letter.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pevlm::answers::py {

// The code point starting at byte `i` of `s`; `*len` gets its byte length (>= 1).
char32_t decode_at(const std::string& s, size_t i, size_t* len);
// Byte offset where the code point that ends just before byte `end` starts (end > 0).
size_t previous_start(const std::string& s, size_t end);

// str.isspace() of one code point: Python's whitespace (bidirectional WS/B/S or category Zs).
bool is_space(char32_t c);
// str.isalpha() of one code point. Exact for ASCII and Latin-1; beyond that the major letter blocks
// (Latin extended, Greek, Cyrillic, Hebrew, Arabic, kana, CJK, Hangul) count as letters and other code
// points do not: an approximation of Unicode category L* that only matters for a choice letter directly
// followed or preceded by a non-ASCII character (lmms_mcq's start/end rules).
bool is_alpha(char32_t c);

std::string strip(const std::string& s);                 // s.strip()
std::string strip_char(const std::string& s, char c);    // s.strip(c) for one ASCII character
size_t word_count(const std::string& s);                 // len(s.split())
std::vector<std::string> split_on(const std::string& s, char sep);  // s.split(sep), sep ASCII
void erase_all(std::string& s, const std::string& old);  // s = s.replace(old, "")
// s.lower() for ASCII letters; other code points are kept (Python also lowers non-ASCII capitals: no
// extractor phrase contains one, so the match positions agree).
std::string ascii_lower(const std::string& s);

}  // namespace pevlm::answers::py
