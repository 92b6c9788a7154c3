# shellcheck shell=bash
# Sourced by check.sh and check_extra.sh: the time budget, the step runner, and what lands in $OUT.
#
# Why: the device tool gives one command at most 600 s and returns only the last 12 kB of its output plus
# at most 8 files from $OUT. A step that hangs or overruns must not take the logs of the others with it, so
#   - every step runs under `timeout`, capped by what is left of the budget minus the minimum time the
#     required steps after it need (a slow step can overrun its plan, never starve the steps after it);
#   - an optional step starts only if its planned time fits what is left;
#   - a failing step is recorded, its log's tail printed, and the next steps still run;
#   - $OUT gets, as the run goes (so even a kill of the whole call leaves them): check.log (the console),
#     steps.log (every step's full log, appended live), budget.tsv (plan vs spent per step) and
#     results_gpu.tgz (results dir: logs, gtest JSON, rows), re-packed after every step and at exit;
#     eval_rows.jsonl / speed_rows.json copies, refreshed every 5 s while a step runs.
#
# Environment (all optional):
#   PEVLM_CHECK_BUDGET_S   seconds for the whole script (default 540 of the tool's 600 s)
#   PEVLM_CHECK_DEADLINE   absolute deadline (epoch s); wins over the budget (check.sh -> check_extra.sh)
#   PEVLM_CHECK_RESERVE_S  kept back at the end for packing (default 10)
#   PEVLM_CHECK_DRY_RUN=1  (or --dry-run): no GPU, no build: device steps skip with their reason, log the
#                          exact command they would run; host steps run. For CI and for trying the flow.
#   PEVLM_CHECK_FAIL_STEP  comma-separated step names that fail on purpose (fake 60-line log, exit 1),
#                          dry run or not: proves the failure path keeps the logs and runs the rest.
#   PEVLM_CHECK_HANG_STEP  likewise, a step that hangs: shows the cap ends it and the rest still run.
#   PEVLM_CHECK_SKIP       comma-separated step names to leave out (recorded as omitted; not a failure).
#   PEVLM_CHECK_RESULTS    results folder (default results/gpu; in a dry run results/tmp/gpu-dry-run)
#   OUT                    the device tool's return folder (default <results>-out)

check_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$check_dir/../.." && pwd)"

declare -a STEP_ORDER=()
declare -A STEP_PLAN=() STEP_NEED=() STEP_KIND=() STEP_WHERE=() STEP_WHAT=() STEP_STATUS=() STEP_SPENT=() STEP_NOTE=()

_in_list() {  # _in_list NAME "a,b,c"
  [[ ",$2," == *",$1,"* ]]
}

now() { date +%s; }
left() { echo $(( deadline - $(now) - reserve )); }

# check_init TITLE [--dry-run]: folders, budget, console tee into $OUT/check.log, the exit trap.
check_init() {
  local title=$1
  shift
  dry_run="${PEVLM_CHECK_DRY_RUN:-0}"
  for a in "$@"; do
    case "$a" in
      --dry-run) dry_run=1 ;;
      *) echo "$title: unknown argument '$a' (valid: --dry-run)" >&2; exit 2 ;;
    esac
  done
  results="$root/results/gpu"
  ((dry_run)) && results="$root/results/tmp/gpu-dry-run"  # git-ignored: a dry run leaves nothing to commit
  results="${PEVLM_CHECK_RESULTS:-$results}"
  logs="$results/logs"
  out="${OUT:-$results-out}"
  mkdir -p "$logs" "$out"
  start=$(now)
  reserve="${PEVLM_CHECK_RESERVE_S:-10}"
  deadline="${PEVLM_CHECK_DEADLINE:-$((start + ${PEVLM_CHECK_BUDGET_S:-540}))}"
  build="${PEVLM_GPU_BUILD:-$root/build-cuda}"
  python="${PEVLM_PYTHON:-python3}"
  # Result rows name the commit; .git does not travel, so prepare_check.sh writes it into .device_data.
  if [ -z "${PEVLM_GIT_COMMIT:-}" ] && [ -s "$root/.device_data/commit.txt" ]; then PEVLM_GIT_COMMIT=$(cat "$root/.device_data/commit.txt"); fi
  export root results logs out dry_run deadline build python PEVLM_GIT_COMMIT
  exec > >(tee -a "$out/check.log") 2>&1
  tee_pid=$!
  trap 'check_on_exit' EXIT
  trap 'echo "[check] interrupted"; exit 130' INT TERM
  echo "[check] $title: $(date -u +%FT%TZ), budget $((deadline - start)) s (reserve $reserve s), commit ${PEVLM_GIT_COMMIT:-unknown}, results $results, OUT $out$( ((dry_run)) && echo ', DRY RUN')"
}

# plan_step NAME KIND WHERE PLAN_S NEED_S WHAT
#   KIND:  required (a skip or failure fails the check) | optional (runs only if PLAN_S fits)
#   WHERE: host (runs in a dry run too) | build (needs the device machine's toolkit: dry run skips) |
#          gpu (needs the GPU: skipped in a dry run or when gpu-info found none)
#   NEED_S: the least time worth starting the step with; reserved for required steps still to come.
plan_step() {
  local name=$1
  STEP_ORDER+=("$name")
  STEP_KIND[$name]=$2 STEP_WHERE[$name]=$3 STEP_PLAN[$name]=$4 STEP_NEED[$name]=$5 STEP_WHAT[$name]=$6
  STEP_STATUS[$name]=pending STEP_SPENT[$name]=0 STEP_NOTE[$name]=""
}

_need_after() {  # seconds the pending required steps after NAME need at least
  local name=$1 seen=0 sum=0 s
  for s in "${STEP_ORDER[@]}"; do
    # In a dry run only host steps will run: device steps reserve nothing.
    if ((seen)) && [ "${STEP_KIND[$s]}" = required ] && [ "${STEP_STATUS[$s]}" = pending ] &&
       { ((!dry_run)) || [ "${STEP_WHERE[$s]}" = host ]; } && ! _in_list "$s" "${PEVLM_CHECK_SKIP:-}"; then sum=$((sum + STEP_NEED[$s])); fi
    [ "$s" = "$name" ] && seen=1
  done
  echo $sum
}

_finish_step() {  # _finish_step NAME STATUS SPENT NOTE
  STEP_STATUS[$1]=$2 STEP_SPENT[$1]=$3 STEP_NOTE[$1]=$4
  echo "[check] $1: $2 in $3 s (plan ${STEP_PLAN[$1]} s)${4:+ - $4} · left $(left) s"
  write_budget
  pack_results
}

# run_step NAME COMMAND...: runs COMMAND (a program, not a shell function: it runs under `timeout`) with
# its output in $logs/NAME.log and appended live to $OUT/steps.log. Exit 77 means "skipped" (the log's
# last line says why); 124/137 a timeout.
run_step() {
  local name=$1
  shift
  [ -n "${STEP_KIND[$name]:-}" ] || { echo "[check] internal: step $name was not planned" >&2; exit 2; }
  local plan=${STEP_PLAN[$name]} need=${STEP_NEED[$name]} kind=${STEP_KIND[$name]} where=${STEP_WHERE[$name]}
  local rem later cap log="$logs/$name.log"
  rem=$(left)
  later=$(_need_after "$name")
  echo "[check] -- $name ($kind, $where): plan $plan s · elapsed $(( $(now) - start )) s · left $rem s · kept for later required steps $later s -- ${STEP_WHAT[$name]}"
  local fake=0
  _in_list "$name" "${PEVLM_CHECK_FAIL_STEP:-}" && fake=1
  _in_list "$name" "${PEVLM_CHECK_HANG_STEP:-}" && fake=2
  if _in_list "$name" "${PEVLM_CHECK_SKIP:-}"; then
    _finish_step "$name" omitted 0 "by request (PEVLM_CHECK_SKIP)"; return 0
  fi
  if ((!fake)) && ((dry_run)) && [ "$where" != host ]; then
    printf '[dry-run] would run under timeout (cap %s s): %q' "$((rem - later))" "$1" > "$log"
    shift && printf ' %q' "$@" >> "$log"
    echo >> "$log"
    cat "$log"
    { echo "=== $name (dry run)"; cat "$log"; } >> "$out/steps.log"
    _finish_step "$name" skipped 0 "dry run: $( [ "$where" = gpu ] && echo 'needs a GPU' || echo "needs the GPU machine's toolkit and torch")"; return 0
  fi
  if ((!fake)) && [ "$where" = gpu ] && [ "${gpu_present:-0}" != 1 ]; then
    _finish_step "$name" skipped 0 "no GPU (see gpu-info)"; return 0
  fi
  cap=$((rem - later))
  if [ "$kind" = optional ] && ((cap < plan)); then
    _finish_step "$name" skipped 0 "budget: $cap s usable < planned $plan s"; return 0
  fi
  if ((cap < need)); then
    _finish_step "$name" skipped 0 "budget: $cap s usable < the $need s it needs"; return 0
  fi
  local t=$(now) rc syncer
  echo "=== $name: $* (cap $cap s)" >> "$out/steps.log"
  # Rows written during the step reach $OUT every 5 s, in case the whole call is killed mid-step.
  ( while sleep 5; do copy_rows; done ) &
  syncer=$!
  if ((fake == 2)); then
    # A fake hang: the cap must end it and the steps after it must still run.
    timeout -k 5 "$cap" bash -c 'echo "fake hang of step $1 (PEVLM_CHECK_HANG_STEP)"; exec sleep 100000' _ "$name" 2>&1 |
      tee "$log" >> "$out/steps.log"
  elif ((fake)); then
    # A fake failure with a long log: the console must show its tail, $OUT all of it.
    timeout -k 10 "$cap" bash -c 'for i in $(seq 1 60); do echo "fake log line $i of step $1"; done;
      echo "error: fake failure of step $1 (PEVLM_CHECK_FAIL_STEP)"; exit 1' _ "$name" 2>&1 | tee "$log" >> "$out/steps.log"
  else
    timeout -k 10 "$cap" "$@" 2>&1 | tee "$log" >> "$out/steps.log"
  fi
  rc=${PIPESTATUS[0]}
  kill "$syncer" 2>/dev/null; wait "$syncer" 2>/dev/null
  local spent=$(( $(now) - t ))
  case $rc in
    0) tail -n 6 "$log" | sed 's/^/    /'  # each step's log ends with its summary
       _finish_step "$name" ok "$spent" "" ;;
    77) _finish_step "$name" skipped "$spent" "$(tail -n 1 "$log")" ;;
    124|137) echo "[check] $name: killed at its cap of $cap s; last lines of $log:"; tail -n 25 "$log" | sed 's/^/    /'
             _finish_step "$name" TIMEOUT "$spent" "cap $cap s" ;;
    *) echo "[check] $name: exit $rc; last lines of $log:"; tail -n 25 "$log" | sed 's/^/    /'
       _finish_step "$name" FAILED "$spent" "exit $rc" ;;
  esac
  return 0
}

# skip_step NAME REASON: records a skip decided by the caller (a missing input, a failed prerequisite).
skip_step() {
  echo "[check] -- $1: skipped - $2"
  _finish_step "$1" skipped 0 "$2"
}

write_budget() {
  local s
  {
    printf 'step\tkind\twhere\tplan_s\tspent_s\tstatus\tnote\n'
    for s in "${STEP_ORDER[@]}"; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "${STEP_KIND[$s]}" "${STEP_WHERE[$s]}" "${STEP_PLAN[$s]}" \
        "${STEP_SPENT[$s]}" "${STEP_STATUS[$s]}" "${STEP_NOTE[$s]}"
    done
    printf 'required\t\t\t%s\t%s\t\t\n' "$(_sum STEP_PLAN required)" "$(_sum STEP_SPENT required)"
    printf 'total\t\t\t%s\t%s\tleft %s s of %s\t(spent = wall time since start)\n' "$(_sum STEP_PLAN)" "$(( $(now) - start ))" "$(left)" "$((deadline - start))"
  } > "$out/budget.tsv.part" && mv "$out/budget.tsv.part" "$out/budget.tsv"
}

_sum() {  # _sum ARRAY [KIND]: over the planned steps (of that kind)
  local -n arr=$1
  local s t=0
  for s in "${STEP_ORDER[@]}"; do
    if [ -z "${2:-}" ] || [ "${STEP_KIND[$s]}" = "$2" ]; then t=$((t + arr[$s])); fi
  done
  echo $t
}

# pack_results: results dir -> $OUT/results_gpu.tgz (atomically), and row files copied beside it.
pack_results() {
  [ -d "$results" ] || return 0
  tar czf "$out/results_gpu.tgz.part" -C "$(dirname "$results")" "$(basename "$results")" 2>/dev/null &&
    mv "$out/results_gpu.tgz.part" "$out/results_gpu.tgz"
  copy_rows
}

# copy_rows: the eval and speed rows as they are now -> $OUT/eval_rows.jsonl, $OUT/speed_rows.json[l].
copy_rows() {
  [ -f "$results/eval-7b-106k/results.jsonl" ] && cp "$results/eval-7b-106k/results.jsonl" "$out/eval_rows.jsonl"
  local f
  for f in "$results"/{fig4,speed}-cuda/speed.jsonl "$results"/{fig4,speed}-cuda/speed.json; do
    [ -f "$f" ] && cp "$f" "$out/speed_rows.${f##*.}" && break
  done
  return 0
}

# The steps every script needs first: the machine, the carried packages, configure, build (check_steps.sh).
# Budgets (plan / least worth starting) are for 16 cores + one H100/H200; see README.md for measured values.
plan_setup_steps() {
  plan_step gpu-info required host 10 5 "nvidia-smi, torch's view of the GPU, the CPU and its matrix units"
  plan_step deps required build 10 5 "unpack the carried .debs (env.sh)"
  plan_step configure required build 30 15 "cmake: CUDA libtorch, no FFmpeg (cuda_cmake_args.sh) into build-cuda/"
  plan_step build required build 150 90 "ninja -k 0: pevlm and the GPU test binaries only"
}

run_setup_steps() {
  local steps="$check_dir/check_steps.sh"
  run_step gpu-info bash "$steps" gpu-info
  gpu_present=$(cat "$results/gpu_present" 2>/dev/null || echo 0)
  ((dry_run)) && gpu_present=0
  export gpu_present
  run_step deps bash "$steps" deps
  if [ "${STEP_STATUS[deps]}" = ok ]; then
    # shellcheck source=env.sh
    source "$check_dir/env.sh" && export build python torch_root nvcc prefix pkg_config
  fi
  if ((dry_run)) || [ "${STEP_STATUS[deps]}" = ok ]; then run_step configure bash "$steps" configure
  else skip_step configure "needs deps (${STEP_STATUS[deps]})"; fi
  if ((dry_run)) || [ "${STEP_STATUS[configure]}" = ok ]; then run_step build bash "$steps" build
  else skip_step build "needs configure (${STEP_STATUS[configure]})"; fi
}

# The verdict: every required step ok (in a dry run, skips are expected: only failures count).
verdict() {
  local s bad=()
  for s in "${STEP_ORDER[@]}"; do
    case "${STEP_STATUS[$s]}" in
      ok|omitted) ;;
      skipped|pending) if [ "${STEP_KIND[$s]}" = required ] && ((!dry_run)); then bad+=("$s(${STEP_STATUS[$s]})"); fi ;;
      *) if [ "${STEP_KIND[$s]}" = required ] || _in_list "$s" "${PEVLM_CHECK_FAIL_STEP:-},${PEVLM_CHECK_HANG_STEP:-}"; then bad+=("$s(${STEP_STATUS[$s]})"); fi ;;
    esac
  done
  echo "${bad[*]}"
}

print_summary() {
  echo "[check] budget (plan vs spent, seconds):"
  column -t -s $'\t' "$out/budget.tsv" 2>/dev/null | sed 's/^/    /' || sed 's/^/    /' "$out/budget.tsv"
  local opt_failed=() s
  for s in "${STEP_ORDER[@]}"; do
    [ "${STEP_KIND[$s]}" = optional ] && [[ ${STEP_STATUS[$s]} == FAILED || ${STEP_STATUS[$s]} == TIMEOUT ]] && opt_failed+=("$s")
  done
  ((${#opt_failed[@]})) && echo "[check] optional steps that failed (not part of the verdict): ${opt_failed[*]}"
  return 0
}

check_on_exit() {
  local rc=$?
  trap - EXIT
  write_budget
  pack_results
  print_summary
  local bad
  bad=$(verdict)
  if [ -n "$bad" ]; then
    echo "[check] FAIL: $bad$( ((dry_run)) && echo ' (dry run)')"
    rc=1
  elif ((rc == 0)); then
    echo "[check] PASS$( ((dry_run)) && echo ' (dry run: device steps skipped)')"
  fi
  echo "[check] \$OUT: $(cd "$out" && ls | tr '\n' ' ')"
  # Let tee write the last lines into check.log before the tool collects $OUT (it kills what is left).
  exec 1>&- 2>&-
  local i
  for i in $(seq 1 50); do kill -0 "$tee_pid" 2>/dev/null || break; sleep 0.1; done
  exit $rc
}
