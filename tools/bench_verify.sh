#!/usr/bin/env bash
# Cold course verify (issue 18, goal 2: <= 10 s wall with the default build, i.e. the debug tool
# `make site` builds; lesson programs link the optimised kit it builds for them): `verify --no-cache`
# of lessons/ ROUNDS times, each round's wall and CPU seconds and where the time went (--timings),
# then the median. Figures only, asserts nothing; with $BENCH_SUMMARY set, appends the median there.
#
#   tools/bench_verify.sh            (TOOL=.build/debug/arcface-lessons ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
TOOL=${TOOL:-.build/debug/arcface-lessons}
ROUNDS=${ROUNDS:-3}
[ -x "$TOOL" ] || swift build
load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "cold verify: $TOOL verify --no-cache, $(ls lessons/*.md | wc -l) lessons, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$TOOL" verify > /dev/null 2>&1 || true   # the kit for lesson programs built once, as `make site` leaves it
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
walls=()
for r in $(seq 1 "$ROUNDS"); do
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$TOOL" verify --no-cache --timings > "$work/out" 2> "$work/timings" \
        || { echo "verify failed:"; tail -20 "$work/out"; exit 1; }
    read -r wall user sys < "$work/time"
    walls+=("$wall")
    printf '  round %d: %5.2f s wall, %5.2f s CPU; %s\n' "$r" "$wall" "$(echo "$user + $sys" | bc -l)" \
        "$(grep -m1 -E '^timings' "$work/timings" | sed 's/^timings //')"
done
sed 's/^/    /' "$work/timings"
median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
worst=$(printf '%s\n' "${walls[@]}" | sort -n | tail -1)
met=$(awk -v m="$median" 'BEGIN { print (m <= 10) ? "true" : "false" }')
load="$load_before -> $(cut -d' ' -f1 /proc/loadavg)"
printf 'cold verify (debug tool, --no-cache), median of %d: %.2f s wall, worst %.2f (goal <= 10 s); load %s\n' "$ROUNDS" "$median" "$worst" "$load"
if [ -n "${BENCH_SUMMARY:-}" ]; then
    printf '{"figure": "cold verify (debug tool, --no-cache)", "value": "%.2f s median, worst %.2f (%d)", "goal": "<= 10 s", "met": %s, "load": "%s"}\n' \
        "$median" "$worst" "$ROUNDS" "$met" "$load" >> "$BENCH_SUMMARY"
fi
