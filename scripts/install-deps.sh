#!/usr/bin/env bash
# Installs the Debian packages the build needs, only those missing; safe to run repeatedly.
# Usage: scripts/install-deps.sh [--browser]
set -euo pipefail
pkgs=(pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libopenblas-dev libedit-dev)
# The browser tests and screenshots: chromium, and fonts for the note's Chinese quotations.
if [ "${1:-}" = "--browser" ]; then pkgs+=(chromium fonts-wqy-zenhei); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
