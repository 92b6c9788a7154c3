// NFC through utf8proc (libutf8proc-dev): a small C library with one call for NFC on UTF-8 and
// no data files; ICU would also do but drags in ~30 MB of data and a C++ API for one function.
#include "models/tokenizer/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "models/tokenizer/utf8.h"

namespace pevlm::tokenizer {

namespace {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// True when every code point of valid UTF-8 `s` is NFC-stable, so NFC(s) == s without utf8proc
// (which is most of the encode time on non-ASCII text otherwise).
bool all_nfc_stable(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int n;
    if (c < 0x80) cp = c, n = 1;
    else if (c < 0xE0) cp = c & 0x1F, n = 2;
    else if (c < 0xF0) cp = c & 0x0F, n = 3;
    else cp = c & 0x07, n = 4;
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (!nfc_stable(cp)) return false;
    i += n;
  }
  return true;
}

}  // namespace

bool nfc_stable(char32_t cp) {
  return cp < 0x300 || (cp >= 0x400 && cp <= 0x482) || (cp >= 0x48A && cp <= 0x52F) || (cp >= 0x2010 && cp <= 0x2027) ||
         cp == 0x200D || (cp >= 0x3000 && cp <= 0x3029) || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) || cp == 0xFE0F || (cp >= 0xFF01 && cp <= 0xFFEF) ||
         (cp >= 0x1F300 && cp <= 0x1FAFF);
}

std::string nfc(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  const size_t bad = find_invalid_utf8(text);
  if (bad != std::string_view::npos)
    throw std::invalid_argument("tokenizer: input text is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  if (all_nfc_stable(text)) return std::string(text);
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                              static_cast<utf8proc_ssize_t>(text.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> holder(out, &std::free);
  if (n < 0) throw std::invalid_argument(std::string("tokenizer: NFC normalisation failed: ") + utf8proc_errmsg(n));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

}  // namespace pevlm::tokenizer
