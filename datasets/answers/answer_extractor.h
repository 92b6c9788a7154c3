// One multiple-choice answer extractor for every benchmark (library pevlm_answers, issue 24 item 5).
//
// The benchmarks' reference code disagrees on how a letter is read from a model's output, so each
// reference is a named variant; a protocol names the one it follows. Every variant returns the letter the
// reference would compare with the gold letter, or nothing (unparsed). A variant never guesses: what an
// unparsed answer scores is the protocol's policy (scored_answer.h). Goldens:
// tests/data/answers/extractor_golden.json from scripts/golden/make_answer_extractor_golden.py, which runs
// the references re-stated in scripts/golden/answer_extractors.py (sources and lines cited there).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pevlm::answers {

enum class AnswerExtractor {
  // lmms-eval tasks/longvideobench/utils.py parse_multi_choice_response: strip; delete 8 prefixes ("The best
  // answer is", "The correct answer is", "The answer is", "The answer", "The best option is", "The correct
  // option is", "Best answer:", "Best option:"); first capital A-E anywhere (the reference draws a random
  // letter when there is none, or when > 10 words hold none).
  LmmsLongVideoBench,
  // Video-MME's official eval_your_results.py extract_characters_regex, also lmms-eval's videomme and
  // lvbench extract_characters_regex before 2026-04 (9ca4445d): the same prefixes, but two pairs are fused by
  // a missing comma ("The best option isThe correct option is", "Best answer:Best option:"), so "Best
  // answer: C" reads B; > 10 words without a capital A-D -> unparsed; else the first capital A-D.
  VideoMmeRegex,
  // lmms-eval _task_utils/mcq_extract.py extract_mcq_answer with choices A-D (videomme, mlvu, lvbench since
  // 2026-04): candidates by format, priority start > end > answer phrase > "(A)" > "A." > "A:" > "A)" >
  // "A " (the last occurrence within a format), any A-D only when no format matched.
  LmmsMcq,
  // lmms-eval tasks/mlvu/utils.py extract_characters_regex before 2026-04: the character before the first
  // ")", or the whole stripped output when there is none; a letter only when that is one capital A-Z.
  LmmsMlvu,
  // MLVU's own choice_bench.py check_ans: the stripped output up to the first ")" must be the letter.
  MlvuOfficial,
  // LVBench's lvbench/utils/answer_util.py polish_answer: before the first ")", after the first "(", first
  // space-separated token, its first character (a letter when it is a capital A-Z).
  LvbenchOfficial,
};

struct ExtractorInfo {
  AnswerExtractor id;
  const char* name;       // the name protocols and result rows use
  const char* reference;  // where the rule comes from
  const char* note;       // how the reference scores what it cannot parse
};

// Every variant, in a fixed order.
const std::vector<ExtractorInfo>& answer_extractors();
const ExtractorInfo& extractor_info(AnswerExtractor id);
// Throws std::invalid_argument naming `name` and listing the valid names.
AnswerExtractor answer_extractor_from_name(const std::string& name);

// The letter the reference reads from `response`, or nullopt (unparsed).
std::optional<char> extract_answer(AnswerExtractor variant, const std::string& response);

// The prefix deletion of the two prefix-list variants (LmmsLongVideoBench, VideoMmeRegex), exposed for
// tests and logs; throws std::invalid_argument for another variant.
std::string strip_answer_prefixes(AnswerExtractor variant, const std::string& response);

}  // namespace pevlm::answers
