"""scripts/convert-videomme-parquet on a Parquet file with the release's schema (lmms-lab/Video-MME
videomme/test-00000-of-00001.parquet: video_id, duration, domain, sub_category, url, videoID, question_id,
task_type, question, options as list<string>, answer), written by pyarrow from the synthetic set's rows:
the JSON Lines file it writes has every row and value unchanged (the file `pevlm` reads,
datasets/videomme/annotations.h), the provenance names sources, rows, columns and format, and a file
missing a required column or with a duplicate question_id is refused with its name.

Run by ctest: python convert_videomme_parquet_test.py PEVLM_BIN SCRIPT WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

RELEASE_COLUMNS = ["video_id", "duration", "domain", "sub_category", "url", "videoID", "question_id", "task_type",
                   "question", "options", "answer"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main(pevlm, script, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(work, "data")
    subprocess.run([pevlm, "make-synthetic-dataset", "--format", "videomme", data, "--videos", "2", "--seed", "4"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(data, "videomme.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if len(rows) != 6:
        fail(f"expected 6 synthetic questions, got {len(rows)}")
    # The release's columns, in its order; values the synthetic set does not have get release-like ones.
    table_rows = []
    for i, r in enumerate(rows):
        t = {c: r.get(c) for c in RELEASE_COLUMNS}
        t["video_id"] = t["video_id"] or f"{i // 3 + 1:03d}"
        t["url"] = t["url"] or "https://www.youtube.com/watch?v=" + r["videoID"]
        table_rows.append(t)
    schema = pa.schema([(c, pa.list_(pa.string()) if c == "options" else pa.string()) for c in RELEASE_COLUMNS])
    os.makedirs(os.path.join(data, "videomme"))
    parquet = os.path.join(data, "videomme", "test-00000-of-00001.parquet")
    pq.write_table(pa.Table.from_pylist(table_rows, schema=schema), parquet)
    os.remove(os.path.join(data, "videomme.jsonl"))

    subprocess.run([sys.executable, script, data], check=True)
    with open(os.path.join(data, "videomme.jsonl"), encoding="utf-8") as f:
        converted = [json.loads(line) for line in f]
    if converted != table_rows:
        fail(f"converted rows differ:\n{converted[0]}\nvs\n{table_rows[0]}")
    if list(converted[0].keys()) != RELEASE_COLUMNS:
        fail(f"column order {list(converted[0].keys())}")
    prov = json.load(open(os.path.join(data, "videomme.jsonl.provenance.json")))
    if prov["rows"] != 6 or prov["columns"] != RELEASE_COLUMNS or not prov["reader"].startswith("pyarrow"):
        fail(f"provenance {prov}")
    if not prov["sources"][0]["path"].endswith("test-00000-of-00001.parquet") or len(prov["sources"][0]["sha256"]) != 64:
        fail(f"provenance sources {prov['sources']}")

    # The rows are the synthetic set's, which datasets_loader_test reads with the C++ loader (key order kept).

    # Refusals name the file and what is wrong.
    bad = os.path.join(work, "bad.parquet")
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in t.items() if k != "answer"} for t in table_rows]), bad)
    r = subprocess.run([sys.executable, script, work, bad], capture_output=True, text=True)
    if r.returncode == 0 or "missing columns ['answer']" not in r.stderr or "bad.parquet" not in r.stderr:
        fail(f"missing column accepted or unnamed: rc {r.returncode} {r.stderr}")
    pq.write_table(pa.Table.from_pylist(table_rows + table_rows[:1], schema=schema), bad)
    r = subprocess.run([sys.executable, script, work, bad], capture_output=True, text=True)
    if r.returncode == 0 or "duplicate question_id" not in r.stderr:
        fail(f"duplicate question accepted: rc {r.returncode} {r.stderr}")
    print("convert-videomme-parquet: 6 rows round-trip, refusals named")


if __name__ == "__main__":
    main(*sys.argv[1:4])
