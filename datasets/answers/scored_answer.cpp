// Scoring an extracted answer under a protocol's unparsed-answer policy (see scored_answer.h).
#include "datasets/answers/scored_answer.h"

#include <stdexcept>

namespace pevlm::answers {
namespace {

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

void check_options(int num_options, const std::string& sample_id) {
  if (num_options < 1 || num_options > 26)
    throw std::invalid_argument("answer of sample \"" + sample_id + "\": num_options must be in [1, 26], got " +
                                std::to_string(num_options));
}

}  // namespace

const char* unparsed_policy_name(UnparsedPolicy p) {
  return p == UnparsedPolicy::SeededRandom ? "seeded_random" : "score_wrong";
}

char seeded_random_letter(int num_options, const std::string& sample_id, uint64_t seed) {
  check_options(num_options, sample_id);
  const uint64_t r = splitmix64(splitmix64(seed) ^ fnv1a64(sample_id));
  return static_cast<char>('A' + static_cast<int>(r % static_cast<uint64_t>(num_options)));
}

ScoredAnswer score_answer(const AnswerRule& rule, const std::string& response, int num_options,
                          const std::string& sample_id, std::optional<char> gold) {
  check_options(num_options, sample_id);
  ScoredAnswer a;
  a.predicted = extract_answer(rule.extractor, response);
  a.parsed = a.predicted.has_value();
  if (!a.parsed) {
    const bool random = rule.unparsed == UnparsedPolicy::SeededRandom;
    a.fallback = random ? "random" : "none";
    if (random) a.predicted = seeded_random_letter(num_options, sample_id, rule.seed);
  }
  if (gold) a.correct = a.predicted.has_value() && *a.predicted == *gold;
  return a;
}

}  // namespace pevlm::answers
