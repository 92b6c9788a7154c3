// Python str operations on UTF-8 (see py_text.h).
#include "datasets/answers/py_text.h"

namespace pevlm::answers::py {
namespace {

constexpr char32_t kInvalid = 0x110000;  // outside Unicode: neither space nor letter

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

char32_t decode_at(const std::string& s, size_t i, size_t* len) {
  const unsigned char b0 = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (b0 < 0x80) return b0;
  size_t n = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) n = 2, cp = b0 & 0x1F;
  else if ((b0 & 0xF0) == 0xE0) n = 3, cp = b0 & 0x0F;
  else if ((b0 & 0xF8) == 0xF0) n = 4, cp = b0 & 0x07;
  else return kInvalid;
  if (i + n > s.size()) return kInvalid;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(b)) return kInvalid;
    cp = (cp << 6) | (b & 0x3F);
  }
  *len = n;
  return cp;
}

size_t previous_start(const std::string& s, size_t end) {
  size_t i = end - 1;
  // Walk back over at most 3 continuation bytes to a lead byte whose sequence ends exactly at `end`.
  for (size_t back = 0; back < 3 && i > 0 && is_continuation(static_cast<unsigned char>(s[i])); ++back) --i;
  size_t len = 0;
  decode_at(s, i, &len);
  return i + len == end ? i : end - 1;
}

bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_alpha(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  if (c < 0x100) return c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kLetters[] = {
      {0x0100, 0x02C1}, {0x0370, 0x0373}, {0x0376, 0x037D}, {0x0386, 0x0386}, {0x0388, 0x03FF}, {0x0400, 0x0481},
      {0x048A, 0x052F}, {0x0531, 0x0556}, {0x0561, 0x0587}, {0x05D0, 0x05EA}, {0x0620, 0x064A}, {0x1E00, 0x1FBC},
      {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
      {0x20000, 0x2FFFF}};
  for (const Range& r : kLetters)
    if (c >= r.lo && c <= r.hi) return true;
  return false;
}

std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  for (size_t len = 0; b < e && is_space(decode_at(s, b, &len)); b += len) {
  }
  while (e > b) {
    const size_t start = previous_start(s, e);
    size_t len = 0;
    if (!is_space(decode_at(s, start, &len))) break;
    e = start;
  }
  return s.substr(b, e - b);
}

std::string strip_char(const std::string& s, char c) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == c) ++b;
  while (e > b && s[e - 1] == c) --e;
  return s.substr(b, e - b);
}

size_t word_count(const std::string& s) {
  size_t words = 0;
  bool in_word = false;
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    const bool space = is_space(decode_at(s, i, &len));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t from = 0;
  for (size_t at; (at = s.find(sep, from)) != std::string::npos; from = at + 1) parts.push_back(s.substr(from, at - from));
  parts.push_back(s.substr(from));
  return parts;
}

void erase_all(std::string& s, const std::string& old) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(old, pos)) != std::string::npos; pos = hit + old.size()) out.append(s, pos, hit - pos);
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

std::string ascii_lower(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace pevlm::answers::py
