// The parenthesis variants: lmms_mlvu, mlvu_official, lvbench_official (see answer_extractor.h). Each
// reference compares a string with the gold letter, so a result is a letter only when it is one capital
// A-Z; anything else can never score and is unparsed.
#include "datasets/answers/extractors_impl.h"
#include "datasets/answers/py_text.h"

namespace pevlm::answers::detail {
namespace {

std::optional<char> single_capital(const std::string& s) {
  if (s.size() == 1 && s[0] >= 'A' && s[0] <= 'Z') return s[0];
  return std::nullopt;
}

}  // namespace

std::optional<char> mlvu_char_before_paren(const std::string& response) {
  const std::string s = py::strip(response);
  const size_t paren = s.find(')');
  if (paren == std::string::npos) return single_capital(s);
  // s[index-1:index]: "" when ")" comes first; a multi-byte character there is no capital either.
  if (paren == 0) return std::nullopt;
  return single_capital(s.substr(paren - 1, 1));
}

std::optional<char> mlvu_official(const std::string& response) {
  const std::string s = py::strip(response);  // choice_bench.py answer() strips the generated text
  return single_capital(s.substr(0, s.find(')')));
}

std::optional<char> lvbench_official(const std::string& response) {
  std::string s = py::strip(py::strip(response).substr(0, py::strip(response).find(')')));
  if (const size_t open = s.find('('); open != std::string::npos) {
    s = s.substr(open + 1);
    s = py::strip(s.substr(0, s.find('(')));  // split("(")[1]: up to the next "("
  }
  s = s.substr(0, s.find(' '));  // split(" ")[0]
  if (s.empty()) return std::nullopt;
  size_t len = 0;
  py::decode_at(s, 0, &len);  // answer[0]: the first character, however many bytes
  return single_capital(s.substr(0, len));
}

}  // namespace pevlm::answers::detail
