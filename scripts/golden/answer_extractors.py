"""The multiple-choice answer extractors of the benchmarks' reference code, re-stated in Python.

Each function below restates one reference function's behaviour, rule for rule, so that
make_answer_extractor_golden.py can run them on a table of model outputs (datasets/answers/ is the C++
side). They return the letter the reference would score, or None where the reference has no letter
(LongVideoBench's lmms-eval parser then draws random.choice; the others return "" or a non-letter that
can never equal the gold letter). Sources (read with the repositories' history):

  lmms_longvideobench  EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/longvideobench/utils.py
                       parse_multi_choice_response (lines 187-213 at 75571cf)
  videomme_regex       BradyFU/Video-MME evaluation/eval_your_results.py extract_characters_regex
                       (4e7566d); the same code is lmms-eval's tasks/videomme/utils.py and
                       tasks/lvbench/utils.py extract_characters_regex before commit 9ca4445d
                       (2026-04-11). Two prefix pairs are joined by Python's implicit string
                       concatenation (a missing comma), so "The best option is", "The correct option is",
                       "Best answer:" and "Best option:" are never removed on their own.
  lmms_mcq             lmms-eval lmms_eval/tasks/_task_utils/mcq_extract.py extract_mcq_answer with
                       choices A-D, used by tasks/{videomme,mlvu,lvbench}/utils.py since 9ca4445d
  lmms_mlvu            lmms-eval tasks/mlvu/utils.py extract_characters_regex before 9ca4445d
  mlvu_official        JUNJIE99/MLVU videochat2/choice_bench.py check_ans (0b16f40): the generated
                       text (stripped by answer()) up to the first ")" must equal the gold letter
  lvbench_official     THUDM/LVBench lvbench/utils/answer_util.py polish_answer (1dd4612)
"""
import re

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _single_upper_letter(s):
    """A reference result compared with a gold letter by ==: a letter only when it is one A-Z."""
    return s if len(s) == 1 and s in UPPER else None


def lmms_longvideobench(response):
    prefixes = ["The best answer is", "The correct answer is", "The answer is", "The answer",
                "The best option is", "The correct option is", "Best answer:", "Best option:"]
    s = response.strip()
    for p in prefixes:
        s = s.replace(p, "")
    found = re.search(r"[ABCDE]", s)
    # The reference returns random.choice(all_choices) both when > 10 words lack [ABCDE] and when
    # nothing matches: either way no letter was parsed.
    return found.group(0) if found else None


def videomme_regex(response):
    prefixes = ["The best answer is", "The correct answer is", "The answer is", "The answer",
                "The best option is" + "The correct option is",  # the reference's missing comma
                "Best answer:" + "Best option:"]                  # likewise
    s = response.strip()
    for p in prefixes:
        s = s.replace(p, "")
    if len(s.split()) > 10 and not re.search("[ABCD]", s):
        return None
    found = re.search(r"[ABCD]", s)
    return found.group(0) if found else None


_MCQ_PHRASES = ["the answer is", "answer is", "the correct answer is", "correct answer is", "the best answer is",
                "best answer is", "the correct option is", "correct option is", "the best option is",
                "best option is", "the choice is", "choice is", "the correct choice is", "correct choice is",
                "i choose", "i select", "i pick", "my answer is", "my choice is",
                "옵션", "정답은", "답은", "답:", "答案是", "答案为", "选", "答えは"]
_MCQ_PRIORITY = {"start": 10, "end": 9, "phrase": 7, "parentheses": 6, "period": 5, "colon": 4,
                 "right_paren": 3, "space": 2, "fallback": 0}


def lmms_mcq(response, choices="ABCD"):
    if not response or not response.strip():
        return None
    text = response.strip()
    for c in [",", ".", "!", "?", ";", ":", "'", '"']:
        text = text.strip(c)
    text = " " + text + " "
    found = []  # (letter, position, format)
    for fmt, pattern in (("parentheses", "({})"), ("period", "{}."), ("colon", "{}:"), ("right_paren", "{})"),
                         ("space", "{} ")):
        for ch in choices:
            needle = pattern.format(ch)
            if needle in text:
                found.append((ch, text.rfind(needle), fmt))
    lower = text.lower()
    for phrase in _MCQ_PHRASES:
        at = lower.find(phrase)
        if at != -1:
            for ch in choices:
                pos = text.find(ch, at + len(phrase))
                if pos != -1:
                    found.append((ch, pos, "phrase"))
    core = text.strip()
    for ch in choices:
        if core.startswith(ch) and (len(core) == 1 or not core[1].isalpha()):
            found.append((ch, 0, "start"))
    for ch in choices:
        if core.endswith(ch) and (len(core) == 1 or not core[-2].isalpha()):
            found.append((ch, len(text) - 1, "end"))
    if not found:
        for ch in choices:
            if ch in text:
                found.append((ch, text.rfind(ch), "fallback"))
    if not found:
        return None
    found.sort(key=lambda c: (_MCQ_PRIORITY[c[2]], c[1]), reverse=True)
    return found[0][0]


def lmms_mlvu(response):
    s = response.strip()
    if ")" in s:
        at = s.index(")")
        return _single_upper_letter(s[at - 1:at])  # s[-1:0] == "" when ")" comes first
    return _single_upper_letter(s)


def mlvu_official(response):
    s = response.strip()
    if ")" in s:
        s = s[:s.index(")")]
    return _single_upper_letter(s)


def lvbench_official(response):
    s = response.strip().split(")")[0].strip()
    if "(" in s:
        s = s.split("(")[1].strip()
    s = s.split(" ")[0]
    return _single_upper_letter(s[0]) if s else None


EXTRACTORS = {
    "lmms_longvideobench": lmms_longvideobench,
    "videomme_regex": videomme_regex,
    "lmms_mcq": lmms_mcq,
    "lmms_mlvu": lmms_mlvu,
    "mlvu_official": mlvu_official,
    "lvbench_official": lvbench_official,
}
