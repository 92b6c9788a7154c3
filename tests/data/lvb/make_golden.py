"""Writes golden_sampling.json: frame-index arithmetic computed by the real libraries the
LongVideoBench protocols run on, for tests/lvb_sampling_test.cpp.

- torch.linspace(0, total - 1, n).round().long()   (qwen-vl-utils video readers)
- np.linspace(0, n - 1, k, dtype=int)              (lmms-eval models/simple/qwen2_5_vl.py, llava_vid)
- np.round(np.linspace(0, n - 1, k)).astype(int)    (VILA's video loader, LongVILA)

Run: .venv/bin/python tests/data/lvb/make_golden.py  (torch 2.11 CPU, numpy 2.x)
"""
import json
import os

import numpy as np
import torch


def main():
    torch_cases = []
    # Frame counts of real clips (8 s .. 1 h at 24-60 fps) and the nframes qwen-vl-utils picks.
    totals = [3, 13, 17, 18, 20, 25, 239, 240, 241, 299, 300, 450, 719, 1799, 1800, 3599,
              5394, 14985, 21600, 53946, 107892, 215784]
    for total in totals:
        steps = {2, 4, 16, 18, 20, 32, 64, 100, 256, 598, 600, 768}
        if total <= 2000:  # every frame: small clips only, to keep the file small
            steps.add(total - total % 2)
        steps = sorted(steps)
        for n in steps:
            if 2 <= n <= total:
                idx = torch.linspace(0, total - 1, n).round().long().tolist()
                torch_cases.append({"end": total - 1, "steps": n, "indices": idx})
    numpy_cases = []
    for n in [2, 3, 4, 17, 18, 31, 32, 33, 64, 100, 241, 598, 768]:
        for k in [1, 2, 16, 32, 64]:
            idx = np.linspace(0, n - 1, k, dtype=int).tolist()
            numpy_cases.append({"stop": n - 1, "num": k, "indices": idx})
    numpy_round_cases = []
    for n in [2, 3, 4, 17, 18, 31, 32, 33, 64, 100, 241, 256, 257, 598, 768, 1799, 5394, 21600]:
        for k in [1, 2, 3, 9, 16, 32, 64, 256]:
            idx = np.round(np.linspace(0, n - 1, k)).astype(int).tolist()
            numpy_round_cases.append({"stop": n - 1, "num": k, "indices": idx})
    out = {
        "generator": "tests/data/lvb/make_golden.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_linspace_round": torch_cases,
        "numpy_linspace_int": numpy_cases,
        "numpy_linspace_round": numpy_round_cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_sampling.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(path, len(torch_cases), "torch cases,", len(numpy_cases), "+", len(numpy_round_cases), "numpy cases")


if __name__ == "__main__":
    main()
