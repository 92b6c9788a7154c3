#!/usr/bin/env python3
"""Writes tests/data/answers/extractor_golden.json: model outputs -> the letter each reference
extractor returns (null = unparsed), by running the re-stated reference functions of
answer_extractors.py (sources cited there). tests/answers_extractor_test.cpp reads the file, so the
C++ test needs no Python. Run from the repository root with the project .venv:

    .venv/bin/python scripts/golden/make_answer_extractor_golden.py

Regenerating must give the same bytes (the table below is fixed)."""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from answer_extractors import EXTRACTORS  # noqa: E402

LONG_NO_LETTER = "the person in the video walks slowly towards the door while holding a cup of hot coffee"
CASES = [
    # (output, why it is in the table)
    ("A", "bare letter"),
    ("B.", "letter and period"),
    ("(C)", "letter in parentheses"),
    ("D) The cat", "letter, right parenthesis, option text"),
    ("Answer: C", "'Answer:' is stripped by none of the prefix lists; 'A' of Answer is a capital"),
    ("The best answer is D.", "official Video-MME prompt's continuation"),
    ("The correct answer is (B).", "prefix + parentheses"),
    ("The answer is A", "prefix + letter"),
    ("Best answer: C", "videomme_regex never removes 'Best answer:' (missing comma): the B of Best wins"),
    ("Best option: (A) Oven", "'Best option:' prefix"),
    ("The best option is C", "prefix removed by lmms_longvideobench only"),
    ("The correct option is D", "prefix removed by lmms_longvideobench only"),
    ("b", "lowercase letter"),
    ("the answer is c", "lowercase phrase and letter"),
    ("(b)", "lowercase in parentheses"),
    ("I think Bread", "capital B inside a word"),
    ("Dog", "option text starting with a capital D"),
    ("Cooking dinner", "option text starting with a capital C"),
    ("a red umbrella", "option text, lowercase"),
    ("Red umbrella", "option text, capital not A-E"),
    ("A and B", "two letters"),
    ("Either B or C, but I choose C", "two letters, 'I choose' phrase"),
    ("B. A book", "the case lmms-eval's LongVideoBench parser was fixed for"),
    ("", "empty output"),
    ("   ", "whitespace only"),
    (LONG_NO_LETTER, "more than 10 words, no capital letter"),
    ("After watching the video carefully I believe the Correct choice is the second option shown",
     "more than 10 words, a capital C inside a word"),
    ("A) cat\nB) dog", "several lettered lines"),
    ("(A) (B)", "two parenthesised letters"),
    ("Option B", "'Option' then letter"),
    ("option b", "lowercase option and letter"),
    ("B)", "MLVU continuation after 'Best option: ('"),
    ("Best Option: (B) dog", "MLVU assistant prefix echoed (capital O: no prefix list has it)"),
    ("E", "fifth letter"),
    ("E. None of the above", "fifth letter with text"),
    ("The answer is E", "phrase + fifth letter"),
    ("<answer>C</answer>", "tagged answer"),
    ("**B**", "markdown bold"),
    ("B\n\nExplanation: A dog runs across the yard.", "letter, then an explanation with capitals"),
    ("I cannot determine the answer from the video.", "refusal"),
    ("答案是 B", "Chinese answer phrase"),
    ("Aé", "letter followed by a non-ASCII letter"),
    ("The answer is (C) because the man in the video opens the door at the very end", "long reasoning"),
    ("C: the man", "letter and colon"),
    ("B, C", "comma-separated letters"),
    ("The answer", "prefix only"),
    ("\tD\n", "tabs and newlines around a letter"),
    ("my answer is a", "phrase + lowercase letter"),
    ("1", "a digit"),
    ("Options A and D are both plausible, but D fits best.", "discussion, later letter"),
    ("The best answer is:", "prefix only, with colon"),
    ("ABCD", "run of letters"),
    ("(A", "unclosed parenthesis"),
    (")", "lone parenthesis"),
    ("x) something", "non-letter before ')'"),
    ("The correct answer is B\u00a0", "no-break space (Python strips Unicode whitespace)"),
    ("\u3000C\u3000", "ideographic spaces around a letter"),
    ("(D) The man is cooking.", "parenthesised letter then a sentence"),
    ("C. The woman\nA. The man", "two lettered lines, first one chosen"),
    ("Based on the video, the best answer is B. The woman in red.", "phrase mid-sentence"),
]


def main():
    rows = []
    for output, why in CASES:
        expected = {name: fn(output) for name, fn in EXTRACTORS.items()}
        rows.append({"output": output, "why": why, "expected": expected})
    out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "answers" / "extractor_golden.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"generator": "scripts/golden/make_answer_extractor_golden.py",
           "note": "expected[variant] is the letter the reference scores, null = unparsed",
           "variants": list(EXTRACTORS), "cases": rows}
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(rows)} cases x {len(EXTRACTORS)} variants")


if __name__ == "__main__":
    main()
