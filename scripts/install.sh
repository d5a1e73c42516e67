#!/usr/bin/env bash
# Installs the built tool where it finds everything relative to its own path (README "Install"):
#   PREFIX/bin/arcface-lessons                 -> ../lib/arcface-lessons/arcface-lessons
#   PREFIX/lib/arcface-lessons/                the tool, libArcFaceKit.so, libLessonRuntime.so,
#                                              Modules/*.swiftmodule, include/<C module>/ (module maps
#                                              the kit's module imports), the site's front end
# Usage: scripts/install.sh PREFIX [BUILD_DIR]   (BUILD_DIR: a `swift build` output folder, default
# the release one; `make install` builds it first).
set -euo pipefail
prefix="${1:?usage: scripts/install.sh PREFIX [BUILD_DIR]}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${2:-$root/.build/release}"
for f in arcface-lessons libArcFaceKit.so libLessonRuntime.so Modules/ArcFaceKit.swiftmodule \
         Modules/LessonRuntime.swiftmodule arcface-lessons_LessonKit.resources; do
  [ -e "$bin/$f" ] || { echo "install: $bin/$f is missing: build first (make install builds it)" >&2; exit 2; }
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
lib="$prefix/lib/arcface-lessons"
mkdir -p "$prefix/bin" "$lib/Modules" "$lib/include"
install -m 755 "$bin/arcface-lessons" "$lib/arcface-lessons"
install -m 644 "$bin/libArcFaceKit.so" "$bin/libLessonRuntime.so" "$lib/"
for m in ArcFaceKit LessonRuntime; do
  install -m 644 "$bin/Modules/$m.swiftmodule" "$lib/Modules/"
  [ -e "$bin/Modules/$m.swiftdoc" ] && install -m 644 "$bin/Modules/$m.swiftdoc" "$lib/Modules/"
done
# The C module ArcFaceKit's interface imports: a lesson's compile must see its module map.
rm -rf "$lib/include/CPortableMath"
cp -R "$root/Sources/CPortableMath/include" "$lib/include/CPortableMath"
rm -rf "$lib/arcface-lessons_LessonKit.resources"
cp -R "$bin/arcface-lessons_LessonKit.resources" "$lib/"
ln -sfn ../lib/arcface-lessons/arcface-lessons "$prefix/bin/arcface-lessons"
echo "installed arcface-lessons into $prefix (bin/arcface-lessons, lib/arcface-lessons/)"
