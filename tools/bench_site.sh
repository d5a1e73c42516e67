#!/usr/bin/env bash
# Times `arcface-lessons build` (release build of the tool and of libArcFaceKit) on a copy of the
# course: cold (empty cache), warm with nothing changed, after a prose-only edit, and after a
# one-cell edit. For each: the wall time of the whole process, and from `build --timings` the time
# inside swiftc and inside the lesson programs (summed over lessons, two run at a time) and the
# tool's own (everything else: load, parse, cache, checks, render, write). Asserts nothing.
# With $BENCH_SUMMARY set, appends each wall time there (tools/bench_goals.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool="${TOOL:-$root/.build/release/arcface-lessons}"
[ -x "$tool" ] || { echo "build first: swift build -c release --product arcface-lessons --product ArcFaceKit --product LessonRuntime" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/lessons" "$work/lessons"
cd "$work"
first=$(ls lessons/*.md | head -n 1)
time_build() {
  local start end wall
  start=$(date +%s.%N)
  "$tool" build --timings >/dev/null 2>"$work/timings.txt" || { cat "$work/timings.txt" >&2; echo "build failed in $1" >&2; exit 1; }
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc)
  # "  swiftc   3.847 s  summed ..." -> 3.847
  get() { sed -n "s/^  $1 *\([0-9.]*\) s.*/\1/p" "$work/timings.txt"; }
  if [ -n "${BENCH_SUMMARY:-}" ]; then
    printf '{"figure": "site build, %s (release tool and kit)", "value": "%.2f s wall", "goal": "%s", "met": null, "load": "%s"}\n' \
      "$1" "$wall" "$2" "$(cut -d' ' -f1 /proc/loadavg)" >>"$BENCH_SUMMARY"
  fi
  printf '%-26s %7.2f s %9s s %9s s %9s s  %s\n' "$1" "$wall" "$(get swiftc)" "$(get 'lesson programs')" "$(get "tool's own")" \
    "$(sed -n 's/^timings (\(.*\)):/\1/p' "$work/timings.txt")"
}
echo "lessons: $(ls lessons/*.md | wc -l), $(nproc) cores, tool: ${tool#$root/}"
printf '%-26s %9s %11s %11s %11s\n' "build" "wall" "swiftc" "programs" "tool's own"
time_build "cold (empty cache)" "goal 2 is <= 10 s for the default (debug) build"
time_build "warm, nothing changed" "-"
# A prose-only edit that shifts every line below it.
sed -i '0,/^$/s//\nAn added paragraph of prose.\n/' "$first"
time_build "prose-only edit" "-"
# A one-cell edit: append a statement to the first cell (its output is unchanged).
awk 'BEGIN{d=0} /^```swift/ && d==0 {print; print "_ = 0"; d=1; next} {print}' "$first" > "$first.new" && mv "$first.new" "$first"
time_build "one-cell edit" "-"
echo "(swiftc and programs are summed over lessons, two at a time; tool's own is everything else, summed)"
