#!/usr/bin/env python3
"""Frame indices of VILA's video loader (LongVILA), for tests/longvila_sampling_test.cpp.

Usage: .venv/bin/python scripts/golden/make_vila_sampling_golden.py  (numpy 2.x)
Writes tests/data/golden/vila/sampling.json.

vila_indices() re-states NVlabs/VILA llava/utils/media.py `_load_video` (HEAD b760c34, the fps branch
added in 42541b0; `_extract_video` passes config.num_video_frames and config.fps) for a video file
whose last frame is frame_count - 1 (the loader's walk back from CAP_PROP_FRAME_COUNT) at
video_fps = CAP_PROP_FPS:

    duration_sec = frame_count / video_fps if video_fps > 0 else 0
    if fps > 0:
        timestamps = np.arange(0, duration_sec, 1.0 / fps)[:num_frames]
        indices = [int(t * video_fps) for t in timestamps]
    else:
        indices = np.round(np.linspace(0, frame_count - 1, num_frames)).astype(int)

then every index is read with cv2 (set POS_FRAMES, read); a read past the last frame fails and VILA
skips that index ("Failed to read frame ... Skipped"), repeats are kept (the returned list follows
`indices`). So the frames are `[i for i in indices if i < frame_count]`.
"""
import json
from pathlib import Path

import numpy as np


def vila_indices(frame_count, video_fps, fps, num_frames):
    duration_sec = frame_count / video_fps if video_fps > 0 else 0
    if fps > 0:
        timestamps = np.arange(0, duration_sec, 1.0 / fps)
        timestamps = timestamps[:num_frames]
        indices = [int(t * video_fps) for t in timestamps]
    else:
        indices = np.round(np.linspace(0, frame_count - 1, num_frames)).astype(int).tolist()
    return [int(i) for i in indices if i < frame_count]


def main():
    cases = []
    ntsc = 30000 / 1001
    film = 24000 / 1001
    # (frame_count, video_fps): short clips (fewer frames than asked), odd rates, one hour at NTSC.
    videos = [(1, 30.0), (3, 30.0), (20, 12.0), (30, 30.0), (40, 12.0), (68, 12.0), (90, 30.0), (239, 23.976),
              (240, 24.0), (241, film), (299, 25.0), (1799, ntsc), (5394, ntsc), (14985, 25.0), (107892, ntsc)]
    for frame_count, video_fps in videos:
        for fps in [0.0, -1.0, 0.5, 1.0, 2.0, 3.0, 1.0 / 3.0, 7.0, 60.0]:
            for num_frames in [1, 2, 8, 16, 64, 256]:
                cases.append({"frame_count": frame_count, "video_fps": video_fps, "fps": fps, "num_frames": num_frames,
                              "indices": vila_indices(frame_count, video_fps, fps, num_frames)})
    out = Path(__file__).resolve().parents[2] / "tests" / "data" / "golden" / "vila" / "sampling.json"
    out.write_text(json.dumps({"numpy": np.__version__, "reference": "NVlabs/VILA llava/utils/media.py _load_video @ b760c34",
                               "cases": cases}) + "\n")
    print(f"{out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
