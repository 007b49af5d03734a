#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, tests/fuzz/README.md) into ./build-fuzz and
# runs each in turn, one process, then prints a summary: inputs executed, corpus size and
# crashes per target. Exit 1 if anything crashed, leaked, hung or broke an invariant.
#
#   deploy/run-fuzz.sh                  # the bounded CI-sized run: 20000 inputs per target
#   deploy/run-fuzz.sh --runs 200000    # more inputs per target
#   deploy/run-fuzz.sh --minutes 10     # 10 minutes per target (a human's run)
#   deploy/run-fuzz.sh --only config    # one target (repeatable)
#
# Inputs that add coverage are kept in build-fuzz/fuzz-corpus/<target>/ (the checked-in seeds in
# tests/fuzz/corpus/ are read, never written); crash reproducers land in
# build-fuzz/fuzz-artifacts/<target>/ and belong in tests/fuzz/regressions/<target>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=20000
minutes=""
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-fuzz: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

targets=(request config calendar csv_import watch_filter)
[ ${#only[@]} -gt 0 ] && targets=("${only[@]}")

deploy/install-deps.sh
start=$(date +%s)
# -O1 and line tables only: a smaller, faster build that still gives symbolized stacks. Asserts
# stay on (no NDEBUG): they are invariants too.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DRECTIFY_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target fuzz_targets
built=$(date +%s)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
summary=()
total_runs=0
total_crashes=0
for t in "${targets[@]}"; do
  bin=build-fuzz/tests/fuzz/${t}_fuzzer
  corpus=build-fuzz/fuzz-corpus/$t
  artifacts=build-fuzz/fuzz-artifacts/$t
  log=build-fuzz/fuzz-logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  marker=build-fuzz/fuzz-logs/$t.started && touch "$marker"
  if [ -n "$minutes" ]; then limit=(-max_total_time=$((minutes * 60))); else limit=(-runs="$runs"); fi
  dict=()  # tokens the target's format is made of (tests/fuzz/<target>.dict)
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  echo "run-fuzz: $t ${limit[*]} ${dict[*]}" >&2
  status=0
  # In process, one target at a time (no -jobs/-workers: the machine is shared).
  # -timeout: an input running 10 s is a hang.
  "$bin" "${limit[@]}" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$log" 2>&1 || status=$?
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  executed=${executed:-0}
  size=$(find "$corpus" -type f | wc -l)
  crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) -newer "$marker" | wc -l)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi  # died without an artifact
  if [ "$crashes" -gt 0 ]; then
    echo "run-fuzz: $t FAILED (exit $status), see $log and $artifacts/" >&2
    grep -m5 -E 'ERROR: |invariant broken|runtime error' "$log" >&2 || true
  fi
  total_runs=$((total_runs + executed))
  total_crashes=$((total_crashes + crashes))
  summary+=("$(printf '%-14s %12s %12s %8s' "$t" "$executed" "$size" "$crashes")")
done
done_at=$(date +%s)

echo
echo "fuzz summary (build $((built - start)) s, fuzzing $((done_at - built)) s)"
printf '%-14s %12s %12s %8s\n' target inputs corpus crashes
printf '%s\n' "${summary[@]}"
echo "inputs fuzzed: $total_runs, crashes found: $total_crashes"
[ "$total_crashes" -eq 0 ]
