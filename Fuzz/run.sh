#!/bin/sh
# Runs each fuzz target in turn for FUZZ_SECONDS (one process, one job: the machine is shared).
# New inputs go to a writable corpus outside git (FUZZ_WORK/corpus/<target>; the committed seeds in
# Fuzz/Corpus/<target> are only read), crashes to FUZZ_WORK/crashes/<target>/, the log of each run
# to FUZZ_WORK/logs/<target>.log. Exit 1 when any target crashed, hung or broke an invariant.
set -u
seconds=${FUZZ_SECONDS:-600}
bin=${FUZZ_BIN:-.build-fuzz/release}
work=${FUZZ_WORK:-.build-fuzz/work}
targets=${FUZZ_TARGETS:-lesson frontmatter tex compare plots parity}
status=0
for t in $targets; do
    mkdir -p "$work/corpus/$t" "$work/crashes/$t" "$work/logs"
    log="$work/logs/$t.log"
    echo "fuzz-$t: ${seconds} s, log $log"
    # -timeout: an input taking 20 s is a hang. No leak check: ArcFaceKit's autograd graphs are
    # reference cycles by design (freed at exit), which LeakSanitizer would report on every parity
    # case. No allocation stacks: recording them took half of each comparison run (Swift allocates a lot).
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0} "$bin/fuzz-$t" "$work/corpus/$t" "Fuzz/Corpus/$t" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=20 -rss_limit_mb=2048 -detect_leaks=0 -artifact_prefix="$work/crashes/$t/" >"$log" 2>&1
    rc=$?
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -1)
    done_line=$(grep '^Done ' "$log")
    if [ "$rc" -ne 0 ]; then
        echo "  FAILED (exit $rc) after ${units:-?} executions; inputs: $(ls "$work/crashes/$t" | tr '\n' ' ')"
        grep -m1 -E 'ERROR:|Fatal error|runtime failure|invariant broken' "$log" | sed 's/^/  /'
        status=1
    else
        echo "  clean: ${done_line:-$units executions}"
    fi
done
exit $status
