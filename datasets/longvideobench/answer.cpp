// lmms-eval LongVideoBench answer parsing with a seeded, per-sample fallback (see answer.h): the shared
// extractor's lmms_longvideobench variant and its seeded-random unparsed policy.
#include "datasets/longvideobench/answer.h"

#include <stdexcept>

#include "datasets/answers/answer_extractor.h"
#include "datasets/answers/scored_answer.h"

namespace pevlm::lvb {
namespace {

void check_options(int num_options, const std::string& sample_id) {
  if (num_options < 1 || num_options > 5)
    throw std::invalid_argument("answer fallback for sample \"" + sample_id + "\": num_options must be in [1, 5], got " +
                                std::to_string(num_options));
}

}  // namespace

std::string strip_answer_phrases(const std::string& response) {
  return answers::strip_answer_prefixes(answers::AnswerExtractor::LmmsLongVideoBench, response);
}

char fallback_letter(int num_options, const std::string& sample_id, uint64_t seed) {
  check_options(num_options, sample_id);
  return answers::seeded_random_letter(num_options, sample_id, seed);
}

ParsedAnswer parse_answer(const std::string& response, int num_options, const std::string& sample_id,
                          uint64_t seed) {
  check_options(num_options, sample_id);
  const answers::AnswerRule rule{answers::AnswerExtractor::LmmsLongVideoBench, answers::UnparsedPolicy::SeededRandom, seed};
  const answers::ScoredAnswer a = answers::score_answer(rule, response, num_options, sample_id, std::nullopt);
  return {*a.predicted, !a.parsed};
}

}  // namespace pevlm::lvb
