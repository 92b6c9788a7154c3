// The extractor registry and dispatch (see answer_extractor.h).
#include "datasets/answers/answer_extractor.h"

#include <stdexcept>

#include "datasets/answers/extractors_impl.h"

namespace pevlm::answers {

const std::vector<ExtractorInfo>& answer_extractors() {
  static const std::vector<ExtractorInfo> all = {
      {AnswerExtractor::LmmsLongVideoBench, "lmms_longvideobench",
       "lmms-eval tasks/longvideobench/utils.py parse_multi_choice_response",
       "the reference draws random.choice over the options when nothing parses"},
      {AnswerExtractor::VideoMmeRegex, "videomme_regex",
       "Video-MME evaluation/eval_your_results.py extract_characters_regex (= lmms-eval videomme/lvbench before "
       "2026-04)",
       "the official script leaves unparsed answers out of the denominator; lmms-eval scores them wrong"},
      {AnswerExtractor::LmmsMcq, "lmms_mcq", "lmms-eval tasks/_task_utils/mcq_extract.py extract_mcq_answer (A-D)",
       "scored wrong"},
      {AnswerExtractor::LmmsMlvu, "lmms_mlvu", "lmms-eval tasks/mlvu/utils.py extract_characters_regex before 2026-04",
       "scored wrong"},
      {AnswerExtractor::MlvuOfficial, "mlvu_official", "MLVU choice_bench.py check_ans", "scored wrong"},
      {AnswerExtractor::LvbenchOfficial, "lvbench_official", "LVBench lvbench/utils/answer_util.py polish_answer",
       "scored wrong"},
  };
  return all;
}

const ExtractorInfo& extractor_info(AnswerExtractor id) {
  for (const ExtractorInfo& e : answer_extractors())
    if (e.id == id) return e;
  throw std::logic_error("answer extractor without a registry entry");
}

AnswerExtractor answer_extractor_from_name(const std::string& name) {
  std::string valid;
  for (const ExtractorInfo& e : answer_extractors()) {
    if (name == e.name) return e.id;
    valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  }
  throw std::invalid_argument("unknown answer extractor '" + name + "' (valid: " + valid + ")");
}

std::optional<char> extract_answer(AnswerExtractor variant, const std::string& response) {
  switch (variant) {
    case AnswerExtractor::LmmsLongVideoBench: return detail::first_capital(response, false, 'E');
    case AnswerExtractor::VideoMmeRegex: return detail::first_capital(response, true, 'D');
    case AnswerExtractor::LmmsMcq: return detail::mcq_priority(response, "ABCD");
    case AnswerExtractor::LmmsMlvu: return detail::mlvu_char_before_paren(response);
    case AnswerExtractor::MlvuOfficial: return detail::mlvu_official(response);
    case AnswerExtractor::LvbenchOfficial: return detail::lvbench_official(response);
  }
  throw std::logic_error("unhandled answer extractor");
}

std::string strip_answer_prefixes(AnswerExtractor variant, const std::string& response) {
  if (variant == AnswerExtractor::LmmsLongVideoBench) return detail::strip_prefixes(response, false);
  if (variant == AnswerExtractor::VideoMmeRegex) return detail::strip_prefixes(response, true);
  throw std::invalid_argument(std::string("answer extractor '") + extractor_info(variant).name +
                              "' has no prefix list");
}

}  // namespace pevlm::answers
