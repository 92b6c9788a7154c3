// lmms-eval LongVideoBench answer parsing with a seeded, per-sample fallback (see answer.h).
#include "datasets/longvideobench/answer.h"

#include <stdexcept>

namespace pevlm::lvb {
namespace {

// Python str.strip() without arguments on ASCII text: whitespace (space, \t\n\v\f\r and the
// \x1c-\x1f separators). Multi-byte Unicode spaces are left alone; they cannot change which
// capital letter comes first.
bool is_py_space(unsigned char c) { return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f); }

std::string py_strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_py_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_py_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// str.replace(old, "") : every non-overlapping occurrence, left to right.
void erase_all(std::string& s, const std::string& phrase) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(phrase, pos)) != std::string::npos; pos = hit + phrase.size()) {
    out.append(s, pos, hit - pos);
  }
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::string strip_answer_phrases(const std::string& response) {
  static const char* const kPhrases[] = {
      "The best answer is", "The correct answer is", "The answer is",  "The answer",
      "The best option is", "The correct option is", "Best answer:",   "Best option:"};
  std::string s = py_strip(response);
  for (const char* phrase : kPhrases) erase_all(s, phrase);
  return s;
}

char fallback_letter(int num_options, const std::string& sample_id, uint64_t seed) {
  if (num_options < 1 || num_options > 5) {
    throw std::invalid_argument("answer fallback for sample \"" + sample_id +
                                "\": num_options must be in [1, 5], got " + std::to_string(num_options));
  }
  const uint64_t r = splitmix64(splitmix64(seed) ^ fnv1a64(sample_id));
  return static_cast<char>('A' + static_cast<int>(r % static_cast<uint64_t>(num_options)));
}

ParsedAnswer parse_answer(const std::string& response, int num_options, const std::string& sample_id,
                          uint64_t seed) {
  const char fallback = fallback_letter(num_options, sample_id, seed);  // validates num_options
  const std::string s = strip_answer_phrases(response);
  // lmms-eval also falls back when > 10 words and no [ABCDE]: the same outcome as no match.
  for (char c : s) {
    if (c >= 'A' && c <= 'E') return {c, false};  // re.search(r"[ABCDE]", s)
  }
  return {fallback, true};
}

}  // namespace pevlm::lvb
