#!/usr/bin/env python3
"""Writes tests/data/datasets/prompt_golden.json: the user text lmms-eval builds for Video-MME, MLVU dev and
LVBench questions, by running its doc_to_text functions re-stated below (EvolvingLMMs-Lab/lmms-eval
lmms_eval/tasks/videomme/utils.py @06965734 videomme_doc_to_text / videomme_doc_to_text_subtitle with
videomme.yaml @0c1350d6's default post_prompt; tasks/mlvu/utils.py @025f0168 mlvu_doc_to_text; tasks/lvbench/
utils.py @9c25ff5b lvbench_doc_to_text). tests/datasets_loader_test.cpp compares the C++ prompts with it.
Run from the repository root: .venv/bin/python scripts/golden/make_prompt_golden.py (deterministic)."""
import json
import pathlib

VIDEOMME_POST = "\nAnswer the question with A, B, C, or D."  # videomme.yaml lmms_eval_specific_kwargs default


# --- re-stated from lmms-eval ---
def videomme_doc_to_text(doc, kwargs):
    option_prompt = ("Select the best answer to the following multiple-choice question based on the video and the subtitles. "
                     "Respond with only the letter (A, B, C, or D) of the correct option.")
    question = doc["question"]
    option = "\n".join([f"{opt}" for i, opt in enumerate(doc["options"])])
    question = question + "\n" + option
    post_prompt = kwargs["post_prompt"] if "post_prompt" in kwargs else "The best answer is:"
    return option_prompt + "\n" + question + "\n" + post_prompt


def videomme_doc_to_text_subtitle(doc, subtitle_lines, has_file):  # the frame_num branch, lines given
    subtitles_prompt = "This video's subtitles are listed below: \n"
    subtitle = "\n".join(subtitle_lines) if has_file else "No subtitles available"
    option_prompt = ("Select the best answer to the following multiple-choice question based on the video and the subtitles. "
                     "Respond with only the letter (A, B, C, or D) of the correct option.")
    question = doc["question"]
    option = "\n".join([f"{opt}" for i, opt in enumerate(doc["options"])])
    question = question + "\n" + option
    return subtitles_prompt + subtitle + "\n" + option_prompt + "\n" + question + "\n" + "The best answer is:"


def mlvu_doc_to_text(doc):
    option_prompt = ""
    question = doc["question"] + "\nOnly give the best option.\n"
    return option_prompt + "\n" + question + "\n" + "Best option: ("


def lvbench_doc_to_text(doc, kwargs=None):
    kwargs = dict(kwargs or {})
    kwargs.setdefault("pre_prompt", "")
    kwargs.setdefault("post_prompt", "\nAnswer the question with the option letter.")
    question = doc["question"]
    options = doc.get("options", [])
    if options:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        question = question + "\n" + "\n".join(f"({letters[i]}) {opt}" for i, opt in enumerate(options))
    return kwargs["pre_prompt"] + question + kwargs["post_prompt"]
# --- end of the re-stated reference ---


def main():
    cases = []
    docs = [("What colour is the background at the start of the video?", ["green", "orange", "gray", "purple"]),
            ("How many people appear?\n(think)", ["1", "2", "3", "none of the above"])]
    for q, opts in docs:
        doc = {"question": q, "options": [f"{chr(65 + i)}. {o}" for i, o in enumerate(opts)]}
        cases.append({"benchmark": "videomme", "protocol": "lmms", "question": q, "options": opts, "subtitles": [],
                      "available": True, "text": videomme_doc_to_text(doc, {"pre_prompt": "", "post_prompt": VIDEOMME_POST})})
        for lines, has in ((["Hello there.", "General Kenobi!"], True), ([], True), ([], False)):
            cases.append({"benchmark": "videomme", "protocol": "lmms_sub", "question": q, "options": opts, "subtitles": lines,
                          "available": has, "text": videomme_doc_to_text_subtitle(doc, lines, has)})
        # MLVU dev on Hugging Face: the question already holds its "(A) ..." options.
        mlvu_q = q + "\n" + "\n".join(f"({chr(65 + i)}) {o}" for i, o in enumerate(opts))
        cases.append({"benchmark": "mlvu", "protocol": "lmms", "question": q, "options": opts, "text": mlvu_doc_to_text({"question": mlvu_q})})
        # LVBench: the release question holds its options inline.
        cases.append({"benchmark": "lvbench", "protocol": "lmms", "question": q, "options": opts, "raw_question": mlvu_q,
                      "text": lvbench_doc_to_text({"question": mlvu_q})})
    out = pathlib.Path("tests/data/datasets/prompt_golden.json")
    out.write_text(json.dumps({"source": "scripts/golden/make_prompt_golden.py", "cases": cases}, indent=1) + "\n")
    print(f"wrote {out} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
