#!/usr/bin/env bash
# Times `arcface-lessons build` on a copy of the course: cold (empty cache), warm with nothing
# changed, after a prose-only edit, and after a one-cell edit. Prints a table; asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/.build/debug/arcface-lessons"
[ -x "$tool" ] || { echo "build first: swift build" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/lessons" "$work/lessons"
cd "$work"
first=$(ls lessons/*.md | head -n 1)
time_build() {
  local start end
  start=$(date +%s.%N)
  "$tool" build >/dev/null 2>&1 || { echo "build failed in $1" >&2; exit 1; }
  end=$(date +%s.%N)
  printf '%-28s %6.2f s\n' "$1" "$(echo "$end - $start" | bc)"
}
echo "lessons: $(ls lessons/*.md | wc -l), $(nproc) cores"
time_build "cold (empty cache)"
time_build "warm, nothing changed"
# A prose-only edit that shifts every line below it.
sed -i '0,/^$/s//\nAn added paragraph of prose.\n/' "$first"
time_build "prose-only edit"
# A one-cell edit: append a statement to the first cell (its output is unchanged).
awk 'BEGIN{d=0} /^```swift/ && d==0 {print; print "_ = 0"; d=1; next} {print}' "$first" > "$first.new" && mv "$first.new" "$first"
time_build "one-cell edit"
