// lmms_mcq: lmms-eval's shared priority extractor, tasks/_task_utils/mcq_extract.py extract_mcq_answer
// (see answer_extractor.h). Positions are byte offsets where the reference uses code-point offsets: both
// orders agree, and positions are only compared within one format.
#include <algorithm>
#include <vector>

#include "datasets/answers/extractors_impl.h"
#include "datasets/answers/py_text.h"

namespace pevlm::answers::detail {
namespace {

// _FORMAT_PRIORITY: higher wins; within a format the later position wins.
enum Priority { kFallback = 0, kSpace = 2, kRightParen = 3, kColon = 4, kPeriod = 5, kParentheses = 6, kPhrase = 7,
                kEnd = 9, kStart = 10 };

struct Candidate {
  char letter;
  size_t position;
  int priority;
};

// _ANSWER_PHRASES, in the reference's order (lower-case text is searched for each).
const char* const kPhrases[] = {
    "the answer is", "answer is", "the correct answer is", "correct answer is", "the best answer is", "best answer is",
    "the correct option is", "correct option is", "the best option is", "best option is", "the choice is", "choice is",
    "the correct choice is", "correct choice is", "i choose", "i select", "i pick", "my answer is", "my choice is",
    "\xec\x98\xb5\xec\x85\x98",              // 옵션
    "\xec\xa0\x95\xeb\x8b\xb5\xec\x9d\x80",  // 정답은
    "\xeb\x8b\xb5\xec\x9d\x80",              // 답은
    "\xeb\x8b\xb5:",                         // 답:
    "\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf",  // 答案是
    "\xe7\xad\x94\xe6\xa1\x88\xe4\xb8\xba",  // 答案为
    "\xe9\x80\x89",                          // 选
    "\xe7\xad\x94\xe3\x81\x88\xe3\x81\xaf",  // 答えは
};

}  // namespace

std::optional<char> mcq_priority(const std::string& response, const std::string& choices) {
  std::string text = py::strip(response);
  if (text.empty()) return std::nullopt;
  for (char c : {',', '.', '!', '?', ';', ':', '\'', '"'}) text = py::strip_char(text, c);
  text = " " + text + " ";  // padded for boundary matching

  std::vector<Candidate> found;
  const std::pair<const char*, int> formats[] = {
      {"(%)", kParentheses}, {"%.", kPeriod}, {"%:", kColon}, {"%)", kRightParen}, {"% ", kSpace}};
  for (const auto& [pattern, priority] : formats)
    for (char ch : choices) {
      std::string needle = pattern;
      needle[needle.find('%')] = ch;
      if (const size_t at = text.rfind(needle); at != std::string::npos) found.push_back({ch, at, priority});
    }
  const std::string lower = py::ascii_lower(text);
  for (const char* phrase : kPhrases) {
    const size_t at = lower.find(phrase);
    if (at == std::string::npos) continue;
    const size_t after = at + std::char_traits<char>::length(phrase);
    for (char ch : choices)
      if (const size_t pos = text.find(ch, after); pos != std::string::npos) found.push_back({ch, pos, kPhrase});
  }
  const std::string core = py::strip(text);
  for (char ch : choices) {
    if (core.empty() || core.front() != ch) continue;
    size_t len = 0;
    if (core.size() == 1 || !py::is_alpha(py::decode_at(core, 1, &len))) found.push_back({ch, 0, kStart});
  }
  for (char ch : choices) {
    if (core.empty() || core.back() != ch) continue;
    size_t len = 0;
    if (core.size() == 1 || !py::is_alpha(py::decode_at(core, py::previous_start(core, core.size() - 1), &len)))
      found.push_back({ch, text.size() - 1, kEnd});
  }
  if (found.empty())
    for (char ch : choices)
      if (const size_t at = text.rfind(ch); at != std::string::npos) found.push_back({ch, at, kFallback});
  if (found.empty()) return std::nullopt;
  // sort(key=(priority, position), reverse=True) is stable: the first best candidate in insertion order.
  std::stable_sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.position > b.position;
  });
  return found.front().letter;
}

}  // namespace pevlm::answers::detail
