#!/usr/bin/env bash
# scripts/device/check.sh's failure paths without a GPU (issue 21, findings 3 and 6): dry runs with a fake
# failing step and a fake hanging step must leave every log and the budget in $OUT, run the steps after
# the failure, and exit non-zero; check_rows.py must fail on error rows.
#   tests/device_check_test.sh WORKDIR
set -uo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:?work folder}
rm -rf "$work" && mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_file() { [ -s "$1" ] || fail "missing or empty: $1"; }
expect_grep() { grep -q -- "$1" "$2" || fail "'$1' not in $2"; }

dry_run() {  # dry_run NAME [ENV=VALUE...]: one dry run into $work/NAME/{out,res}; its exit status in $work/NAME/rc
  local name=$1
  shift
  mkdir -p "$work/$name"
  env OUT="$work/$name/out" PEVLM_CHECK_RESULTS="$work/$name/res" PEVLM_PYTHON=python3 "$@" \
    bash "$src/scripts/device/check.sh" --dry-run > "$work/$name/console.txt" 2>&1
  echo $? > "$work/$name/rc"
}

# 1. A clean dry run passes, skips every device step with its reason, and fills $OUT.
dry_run clean
[ "$(cat "$work/clean/rc")" = 0 ] || fail "clean dry run exited $(cat "$work/clean/rc")"
for f in check.log steps.log budget.tsv results_gpu.tgz; do expect_file "$work/clean/out/$f"; done
for step in gpu-info deps configure build golden gpu-tests speed model eval cpu-tests speed-sink-kernel speed-28; do
  grep -q "^$step	" "$work/clean/out/budget.tsv" || fail "step $step missing from budget.tsv"
done
expect_grep "dry run: needs a GPU" "$work/clean/out/budget.tsv"
expect_grep "check_steps.sh eval" "$work/clean/out/steps.log"   # the command each device step would run
expect_grep "PASS (dry run" "$work/clean/out/check.log"
expect_grep "plan 150 s" "$work/clean/console.txt"              # the per-step budget is printed

# 2. A failing step (a device step, and the first host step): the run goes on, the console shows the
#    tail of the failing log, $OUT holds the whole log, the exit status is non-zero.
dry_run failing PEVLM_CHECK_FAIL_STEP=gpu-info,build
[ "$(cat "$work/failing/rc")" != 0 ] || fail "a failing step did not fail the check"
expect_grep "fake log line 60 of step build" "$work/failing/console.txt"
expect_grep "error: fake failure of step build" "$work/failing/console.txt"
expect_grep "fake log line 1 of step build" "$work/failing/out/steps.log"
expect_grep "FAIL: gpu-info(FAILED) build(FAILED)" "$work/failing/out/check.log"
grep -q "^eval	required	gpu	.*	skipped	dry run" "$work/failing/out/budget.tsv" || fail "steps after the failure were not run"
mkdir -p "$work/failing/unpacked" && tar xzf "$work/failing/out/results_gpu.tgz" -C "$work/failing/unpacked" ||
  fail "results_gpu.tgz does not unpack"
[ "$(grep -c 'fake log line' "$work/failing/unpacked/res/logs/build.log" 2>/dev/null)" = 60 ] ||
  fail "results_gpu.tgz lacks the failing step's whole log"

# 3. A hanging step is ended at its cap (the budget), the rest still runs and $OUT is complete.
start=$SECONDS
dry_run hang PEVLM_CHECK_HANG_STEP=gpu-info PEVLM_CHECK_BUDGET_S=6 PEVLM_CHECK_RESERVE_S=0
[ "$(cat "$work/hang/rc")" != 0 ] || fail "a hanging step did not fail the check"
((SECONDS - start < 30)) || fail "the hanging step was not ended at its cap ($((SECONDS - start)) s)"
grep -q "^gpu-info	required	host	10	[0-9]*	TIMEOUT" "$work/hang/out/budget.tsv" || fail "gpu-info not recorded as TIMEOUT"
expect_grep "FAIL: gpu-info(TIMEOUT)" "$work/hang/out/check.log"
expect_file "$work/hang/out/results_gpu.tgz"

# 4. check_rows.py: the check fails on error rows, too few rows and missing files.
rows="$src/scripts/device/check_rows.py"
mkdir -p "$work/rows/speed"
printf '%s\n' '{"label":"full","error":null,"tokens":{"total":110000}}' '{"label":"pevlm","error":null}' > "$work/rows/ok.jsonl"
printf '%s\n' '{"label":"full","error":null}' '{"label":"pevlm","error":"unknown token id 151000"}' > "$work/rows/bad.jsonl"
echo '[{"method":"full","attn_ms":1.5},{"method":"pevlm","attn_ms":0.5}]' > "$work/rows/speed/speed.json"
python3 "$rows" eval "$work/rows/ok.jsonl" --min-rows 2 > "$work/rows/ok.txt" || fail "check_rows rejected good rows"
python3 "$rows" eval "$work/rows/bad.jsonl" > "$work/rows/bad.txt" && fail "check_rows accepted an error row"
expect_grep "1 of 2 eval rows have errors: pevlm: unknown token id 151000" "$work/rows/bad.txt"
python3 "$rows" eval "$work/rows/ok.jsonl" --min-rows 3 > /dev/null && fail "check_rows accepted too few rows"
python3 "$rows" eval "$work/rows/none.jsonl" > /dev/null && fail "check_rows accepted a missing file"
python3 "$rows" speed "$work/rows/speed" --min-rows 2 > /dev/null || fail "check_rows rejected good speed rows"

if ((fails)); then
  echo "device check test: $fails failure(s); consoles under $work/*/console.txt"
  exit 1
fi
echo "device check test: dry runs (clean, failing, hanging) and row checks behave"
