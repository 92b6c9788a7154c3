// The prefix-list variants: lmms_longvideobench and videomme_regex (see answer_extractor.h).
//
// Both references also return "no letter" when the output has more than 10 words and no capital in the
// letter set; that outcome equals the final "no match" branch, so the word count never changes a result and
// is not computed here.
#include "datasets/answers/extractors_impl.h"
#include "datasets/answers/py_text.h"

namespace pevlm::answers::detail {

std::string strip_prefixes(const std::string& response, bool fused_pairs) {
  // lmms-eval longvideobench/utils.py lines 194-203: eight prefixes, removed in this order.
  static const char* const kSeparate[] = {"The best answer is", "The correct answer is", "The answer is", "The answer",
                                          "The best option is", "The correct option is", "Best answer:", "Best option:"};
  // Video-MME eval_your_results.py: the same list written without two commas, so Python joins the last
  // four into two strings that only match when fused.
  static const char* const kFused[] = {"The best answer is", "The correct answer is", "The answer is", "The answer",
                                       "The best option isThe correct option is", "Best answer:Best option:"};
  std::string s = py::strip(response);
  if (fused_pairs)
    for (const char* p : kFused) py::erase_all(s, p);
  else
    for (const char* p : kSeparate) py::erase_all(s, p);
  return s;
}

std::optional<char> first_capital(const std::string& response, bool fused_pairs, char last_letter) {
  // re.search(r"[ABCDE]") / re.search(r"[ABCD]"): the first such byte (ASCII never occurs inside a
  // multi-byte UTF-8 sequence).
  for (char c : strip_prefixes(response, fused_pairs))
    if (c >= 'A' && c <= last_letter) return c;
  return std::nullopt;
}

}  // namespace pevlm::answers::detail
