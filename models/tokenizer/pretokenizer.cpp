#include "models/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace pevlm::tokenizer {

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof(buf));
  return reinterpret_cast<const char*>(buf);
}

// Per-thread match data and JIT stack (PCRE2 match data must not be shared by concurrent matches).
// One ovector pair suffices for any pattern: only the whole match is used (rc 0 = more groups).
struct ThreadMatchState {
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* mctx = pcre2_match_context_create(nullptr);
  // Long whitespace or letter runs backtrack deeply; 32 KiB (the default) is not always enough.
  pcre2_jit_stack* stack = pcre2_jit_stack_create(64 * 1024, 16 * 1024 * 1024, nullptr);
  ThreadMatchState() { pcre2_jit_stack_assign(mctx, nullptr, stack); }
  ~ThreadMatchState() {
    pcre2_match_data_free(md);
    pcre2_match_context_free(mctx);
    pcre2_jit_stack_free(stack);
  }
};

// tokenizers compiles the pattern with Oniguruma, whose Unicode \s is the White_Space property;
// PCRE2's UCP \s also matches U+180E MONGOLIAN VOWEL SEPARATOR, which split text differently
// (found by comparing with tokenizers 0.23 on random text). Spell \s / \S as the property.
std::string onig_compatible(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '\\' || i + 1 >= pattern.size()) {
      out.push_back(pattern[i]);
      continue;
    }
    const char next = pattern[++i];
    if (next == 's') out += "\\p{White_Space}";
    else if (next == 'S') out += "\\P{White_Space}";
    else out.push_back('\\'), out.push_back(next);
  }
  return out;
}

}  // namespace

struct RegexSplitter::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() {
    if (code) pcre2_code_free(code);
  }
};

RegexSplitter::RegexSplitter(std::string pattern) : pattern_(std::move(pattern)), compiled_(std::make_unique<Compiled>()) {
  int err = 0;
  PCRE2_SIZE err_off = 0;
  const std::string translated = onig_compatible(pattern_);
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                  PCRE2_UTF | PCRE2_UCP, &err, &err_off, nullptr);
  if (!compiled_->code)
    throw std::invalid_argument("tokenizer: cannot compile pre-tokenizer regex '" + pattern_ + "' at offset " +
                                std::to_string(err_off) + ": " + pcre2_message(err));
  compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

RegexSplitter::~RegexSplitter() = default;

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>& out) const {
  thread_local ThreadMatchState st;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0, gap_start = 0;
  while (pos < text.size()) {
    // The caller guarantees valid UTF-8 (normalised text), so PCRE2's own check is skipped.
    const int rc = compiled_->jit ? pcre2_jit_match(compiled_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, st.md, st.mctx)
                                  : pcre2_match(compiled_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, st.md, st.mctx);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw std::runtime_error("tokenizer: pre-tokenizer regex match failed: " + pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.md);
    const size_t b = ov[0], e = ov[1];
    if (e == b) {  // empty match: step over one UTF-8 character, leaving it in the gap
      pos = b + 1;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    if (b > gap_start) out.push_back(text.substr(gap_start, b - gap_start));
    out.push_back(text.substr(b, e - b));
    pos = gap_start = e;
  }
  if (gap_start < text.size()) out.push_back(text.substr(gap_start));
}

}  // namespace pevlm::tokenizer
