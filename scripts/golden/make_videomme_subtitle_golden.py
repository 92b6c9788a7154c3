#!/usr/bin/env python3
"""Writes tests/data/videomme/subtitle_golden.json: SRT files, frame counts and fps -> the subtitle lines
lmms-eval's videomme_w_subtitle puts in the prompt, by running its functions re-stated below
(EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/videomme/utils.py at commit 06965734: parse_subtitle_time,
load_subtitles, convert_time_to_frame, extract_subtitles, and the frame_num branch of
videomme_doc_to_text_subtitle; cv2's fps and frame count are given instead of read from a video).
tests/datasets_srt_test.cpp reads the file, so the C++ test needs no Python. Run from the repository root:

    .venv/bin/python scripts/golden/make_videomme_subtitle_golden.py

Deterministic (fixed seed)."""
import json
import pathlib
import random
import re

import numpy as np


# --- re-stated from lmms-eval tasks/videomme/utils.py ---
def parse_subtitle_time(time_str):
    h, m, s_ms = time_str.split(":")
    s, ms = s_ms.split(",")
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def load_subtitles_text(content):  # load_subtitles, on the file's text
    subtitles = {}
    for section in content.split("\n\n"):
        if section.strip():
            lines = section.split("\n")
            if len(lines) >= 3:
                time_range = lines[1].split(" --> ")
                start_time = parse_subtitle_time(time_range[0])
                end_time = parse_subtitle_time(time_range[1])
                text = " ".join(line for line in lines[2:])
                subtitles[(start_time, end_time)] = text
    return subtitles


def convert_time_to_frame(time_in_seconds, fps):
    return int(time_in_seconds * fps)


def lmms_lines(content, total_frame, fps, frame_num):
    subtitle_by_frame = []
    for (start_time, end_time), text in load_subtitles_text(content).items():
        subtitle_by_frame.append((convert_time_to_frame(start_time, fps), convert_time_to_frame(end_time, fps), text))
    if frame_num == -1:
        frame_num = total_frame
    uniform_sampled_frames = np.linspace(0, total_frame - 1, frame_num, dtype=int).tolist()
    subtitle_by_frame_idx = []
    for frame_idx in uniform_sampled_frames:
        for idx, title in enumerate(subtitle_by_frame):
            if frame_idx < title[1] and frame_idx >= title[0]:
                subtitle_by_frame_idx.append(idx)
    subtitle_by_frame_idx = list(set(subtitle_by_frame_idx))
    textlist = []
    for idx in subtitle_by_frame_idx:
        pattern = r'<font color="white" size=".72c">(.*?)</font>'
        raw_text = re.findall(pattern, subtitle_by_frame[idx][2])
        try:
            textlist.append(raw_text[0])
        except IndexError:
            continue
    return textlist
# --- end of the re-stated reference ---


def srt_time(s):
    ms = int(round(s * 1000))
    return "%02d:%02d:%02d,%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


def make_srt(rng, n_cues, duration):
    cues, t = [], 0.0
    for i in range(n_cues):
        t += rng.uniform(0.0, 2.0 * duration / n_cues)
        length = rng.uniform(0.3, 4.0)
        text = f"line {i} " + rng.choice(["hello", "the cat", "a", "numbers 42"])
        wrapped = text if rng.random() < 0.1 else f'<font color="white" size=".72c">{text}</font>'
        cues.append(f"{i + 1}\n{srt_time(t)} --> {srt_time(t + length)}\n{wrapped}")
    return "\n\n".join(cues) + "\n"


def main():
    rng = random.Random(24)
    cases = []
    for k in range(16):
        duration = rng.choice([30, 120, 600, 2400])
        fps = rng.choice([24.0, 25.0, 29.97, 30.0, 1.0])
        total = int(duration * fps)
        # frame_num 3-5 over many cues: few hits with large indices, where list(set(...)) is not ascending.
        frame_num = rng.choice([8, 16, 32, 64, -1 if total < 5000 else 32]) if k < 10 else rng.choice([3, 4, 5])
        srt = make_srt(rng, rng.choice([5, 40, 150]) if k < 10 else 150, duration)
        cases.append({"srt": srt, "total_frame": total, "fps": fps, "frame_num": frame_num,
                      "lines": lmms_lines(srt, total, fps, frame_num)})
    out = pathlib.Path("tests/data/videomme/subtitle_golden.json")
    out.write_text(json.dumps({"source": "scripts/golden/make_videomme_subtitle_golden.py", "cases": cases}, indent=0) + "\n")
    print(f"wrote {out} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
