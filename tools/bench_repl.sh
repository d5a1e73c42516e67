#!/usr/bin/env bash
# REPL latency (issue 18, goal: <= 0.25 s per input): 20 typical inputs typed at the end of lesson 06
# (the training lesson), piped into `arcface-lessons repl --timing`; prints each input's compile and
# run seconds as the REPL measures them, and the median of their sums. Not a test: figures only.
#
#   tools/bench_repl.sh [TOOL] [ROUNDS]     (TOOL: default .build/debug/arcface-lessons; ROUNDS: 1)
#
# The first session of a lesson compiles its REPL program (cached afterwards); a warm-up session runs
# first so that the figures are those of a learner's inputs, not of that compile.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOL=${1:-.build/debug/arcface-lessons}
ROUNDS=${2:-1}
LESSON=06-training
CELLS=$(grep -c '^```swift' "lessons/$LESSON.md")

inputs() {
    cat <<'EOF'
softmax.losses.count
softmax.losses.last!
arcface.accuracies.last!
let best = arcface.accuracies.max()!
best * 100
data.inputs.shape
data.labels.count
let (e, c) = arcface.embed()
e.shape
c.shape
e[0, 0] * e[0, 0] + e[0, 1] * e[0, 1]
softmax.lrs.map { $0 * 10 }
func twice(_ x: Double) -> Double { 2 * x }
twice(arcface.losses[0])
arcface.losses.reduce(0, +) / Double(arcface.losses.count)
let t = Tensor([1, 2, 3])
t * 2
(t * t).sum()
cos(Double.pi / 3)
fmt(arcface.losses[19], 3)
EOF
}

session() { { printf ':jump %s\n\n' "$CELLS"; inputs; printf ':quit\n'; } | "$TOOL" repl "$LESSON" --timing --no-color 2>&1; }

echo "REPL: 20 inputs at the end of lessons/$LESSON.md ($TOOL); load $(cut -d' ' -f1-3 /proc/loadavg)"
session > /dev/null   # warm-up: the lesson's REPL program compiled and cached
all=()
for r in $(seq 1 "$ROUNDS"); do
    out=$(session)
    mapfile -t times < <(grep -oE '\(compile [0-9.]+ s, run [0-9.]+ s\)' <<< "$out" | sed -E 's/\(compile ([0-9.]+) s, run ([0-9.]+) s\)/\1 \2/')
    if [ "${#times[@]}" -ne 20 ]; then
        echo "expected 20 timed inputs, got ${#times[@]}; the session said:"; echo "$out" | tail -30; exit 1
    fi
    i=0
    while read -r input; do
        read -r c x <<< "${times[$i]}"
        printf '  %-70s compile %5.2f s  run %5.2f s\n' "$input" "$c" "$x"
        all+=("$(echo "$c + $x" | bc -l)")
        i=$((i + 1))
    done < <(inputs)
done
median=$(printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
printf 'REPL per input (compile + run), median of %d: %.3f s (goal <= 0.25 s); load %s\n' "${#all[@]}" "$median" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BENCH_SUMMARY:-}" ]; then
    met=$(awk -v m="$median" 'BEGIN { print (m <= 0.25) ? "true" : "false" }')
    printf '{"figure": "repl per input (compile + run), median of %d", "value": "%.3f s", "goal": "<= 0.25 s", "met": %s, "load": "%s"}\n' \
        "${#all[@]}" "$median" "$met" "$(cut -d' ' -f1 /proc/loadavg)" >> "$BENCH_SUMMARY"
fi
