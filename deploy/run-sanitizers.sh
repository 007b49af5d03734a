#!/usr/bin/env bash
# Sanitizer suites (issue #8): builds rectifyd, rectifyctl and every test with AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/) or ThreadSanitizer (build-tsan/), then runs the unit
# and end-to-end suites (`ctest -LE heavy`: the default suite, crash loop included) under them.
#
#   deploy/run-sanitizers.sh asan [ctest args]    e.g. deploy/run-sanitizers.sh asan -L unit
#   deploy/run-sanitizers.sh tsan [ctest args]
#
# Not part of deploy/run-tests.sh: each build takes longer than the whole default CI run (figures
# in README.md, "Sanitizers"). Exit status 0 only if every test passed AND no process (test
# binary, rectifyd, rectifyctl, `rectifyd --check`, ...) made a sanitizer report.
#
# Every process writes its report to $reports/report.<pid> (log_path) rather than to a stderr
# the tests may discard; the e2e harness fails the test whose child left one, and this script
# fails the run if any file is there at the end. RECTIFY_SANITIZER_JOBS sets the build's -j.
set -euo pipefail

usage() { echo "usage: $0 asan|tsan [ctest args...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
mode=$1
shift
case "$mode" in
  asan) option=-DRECTIFY_ASAN=ON ;;
  tsan) option=-DRECTIFY_TSAN=ON ;;
  *) usage ;;
esac

cd "$(dirname "$0")/.."
root=$PWD
build=$root/build-$mode
deploy/install-deps.sh

# Optimised with debug info like the default build (the suites must finish; stacks stay readable),
# failpoints on like the default build so the reliability tests run.
seconds() { date +%s; }
t0=$(seconds)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECTIFY_FAILPOINTS=ON \
  "$option" >/dev/null
cmake --build "$build" -j"${RECTIFY_SANITIZER_JOBS:-$(nproc 2>/dev/null || echo 2)}"
t1=$(seconds)

reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
export RECTIFY_SANITIZER_LOG=$reports/report
supp=$root/deploy/sanitizers
# halt/abort on the first report: a process that carries on past one could still pass its test.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$RECTIFY_SANITIZER_LOG"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$RECTIFY_SANITIZER_LOG"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
# TSan: Debian's gRPC, abseil and protobuf are not instrumented; ignore_noninstrumented_modules
# stops TSan checking the interceptor calls they make (deploy/sanitizers/tsan.supp says why).
# history_size=7: with less, the earlier access of a report was often "failed to restore".
export TSAN_OPTIONS="halt_on_error=1:ignore_noninstrumented_modules=1:second_deadlock_stack=1:history_size=7:suppressions=$supp/tsan.supp:print_suppressions=0:log_path=$RECTIFY_SANITIZER_LOG"

log=$build/sanitizer-ctest.log
rc=0
# pipefail: rc is ctest's status, not tee's.
(cd "$build" && ctest --output-on-failure -j2 -LE heavy "$@") 2>&1 | tee "$log" || rc=$?
t2=$(seconds)

# Summary. ctest's own line: "NN% tests passed, F tests failed out of T".
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
total=$(sed -nE 's/.* out of ([0-9]+).*/\1/p' <<<"$line")
failed=$(sed -nE 's/.*, ([0-9]+) tests? failed.*/\1/p' <<<"$line")
total=${total:-0}
failed=${failed:-0}
files=$(find "$reports" -type f | sort)
# (|| true: grep finds nothing in a clean run, and pipefail would end the script there.)
nreports=$( (grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer|ThreadSanitizer:|AddressSanitizer:' $files /dev/null 2>/dev/null || true) | wc -l)
nfiles=$(grep -c . <<<"$files" || true)
if [ "$nfiles" -gt 0 ]; then
  echo
  echo "=== sanitizer output ($nfiles file(s) in $reports) ==="
  for f in $files; do
    echo "--- $f"
    head -c 20000 "$f"
  done
fi
echo
echo "=== sanitizers ($mode) summary ==="
echo "build:            $((t1 - t0)) s ($build)"
echo "tests:            $((t2 - t1)) s"
echo "tests run:        $total"
echo "tests passed:     $((total - failed))"
echo "tests failed:     $failed"
echo "sanitizer reports: $nreports (processes with any sanitizer output: $nfiles)"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$nfiles" -ne 0 ] || [ "$total" -eq 0 ]; then
  echo "RESULT: FAIL"
  exit 1
fi
echo "RESULT: PASS"
