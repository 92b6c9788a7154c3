// What an extracted answer scores (library pevlm_answers): the letter a protocol's extractor read, or the
// protocol's policy for an unparsed answer. No guess is ever silent: an unparsed answer is flagged
// (`parsed` false) and, where the protocol keeps a benchmark's random fallback, says so (`fallback`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "datasets/answers/answer_extractor.h"

namespace pevlm::answers {

enum class UnparsedPolicy {
  ScoreWrong,     // every benchmark but LongVideoBench: no letter, counted wrong
  SeededRandom,   // LongVideoBench (lmms-eval draws random.choice): a seeded letter per sample, flagged
};
const char* unparsed_policy_name(UnparsedPolicy p);  // "score_wrong" | "seeded_random"

struct AnswerRule {
  AnswerExtractor extractor = AnswerExtractor::LmmsMcq;
  UnparsedPolicy unparsed = UnparsedPolicy::ScoreWrong;
  uint64_t seed = 0;  // SeededRandom only
};

struct ScoredAnswer {
  std::optional<char> predicted;  // the letter scored (the fallback's under SeededRandom), or none
  bool parsed = false;            // the extractor read a letter
  std::string fallback;           // "" when parsed; else "random" (SeededRandom) or "none" (ScoreWrong)
  std::optional<bool> correct;    // nullopt when the gold letter is unknown (a test split)
  bool operator==(const ScoredAnswer&) const = default;
};

// num_options in [1, 26] (the fallback's range A..A+num_options-1); throws std::invalid_argument otherwise.
ScoredAnswer score_answer(const AnswerRule& rule, const std::string& response, int num_options,
                          const std::string& sample_id, std::optional<char> gold);

// The seeded fallback alone: uniform in [0, num_options) from splitmix64 of (seed, FNV-1a 64 of
// sample_id), as a letter; reproducible per sample and independent of evaluation order.
char seeded_random_letter(int num_options, const std::string& sample_id, uint64_t seed);

}  // namespace pevlm::answers
