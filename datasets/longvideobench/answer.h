// Answer-letter parsing for LongVideoBench, as lmms-eval scores it (library pevlm_lvb): the
// lmms_longvideobench variant of the shared extractor (datasets/answers/answer_extractor.h) with the
// seeded-random policy for unparsed answers (datasets/answers/scored_answer.h).
//
// Mirrors lmms-eval tasks/longvideobench/utils.py parse_multi_choice_response (the simple parser
// "fixed to avoid 'D. A book' be parsed as A"): strip; delete the phrases "The best answer is",
// "The correct answer is", "The answer is", "The answer", "The best option is",
// "The correct option is", "Best answer:", "Best option:" (in this order, case-sensitive, every
// occurrence); the answer is the first capital A-E anywhere in what is left. When none is found
// lmms-eval draws random.choice(all_choices) from Python's global RNG; we draw from a generator
// seeded by (seed, sample id) instead, so a fallback is reproducible per sample and independent
// of evaluation order, and we flag it.
#pragma once

#include <cstdint>
#include <string>

namespace pevlm::lvb {

struct ParsedAnswer {
  char letter = '?';           // 'A'..'E' (a parsed letter may exceed the option count, as lmms-eval)
  bool fallback_used = false;  // true: nothing parsed, `letter` is the seeded random choice
  bool operator==(const ParsedAnswer&) const = default;
};

// The response after lmms-eval's strip() and phrase deletion (exposed for tests and logs).
std::string strip_answer_phrases(const std::string& response);

// Parses `response` for a question with `num_options` options (2..5, the fallback's range
// A..A+num_options-1). Throws std::invalid_argument for num_options outside [1, 5].
ParsedAnswer parse_answer(const std::string& response, int num_options, const std::string& sample_id,
                          uint64_t seed);

// The deterministic fallback alone: uniform in [0, num_options) from splitmix64 of
// (seed, FNV-1a 64 of sample_id), returned as a letter.
char fallback_letter(int num_options, const std::string& sample_id, uint64_t seed);

}  // namespace pevlm::lvb
