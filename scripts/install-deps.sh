#!/usr/bin/env bash
# Installs the Debian packages the build needs, only those missing; safe to run repeatedly.
# Usage: scripts/install-deps.sh [--browser] [--python]
set -euo pipefail
pkgs=(pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libopenblas-dev libedit-dev)
# The browser tests and screenshots: chromium, and fonts for the note's Chinese quotations.
# The test suite also runs Python cells (with a stand-in torch module): python3.
for flag in "$@"; do
  case "$flag" in
    --browser) pkgs+=(chromium fonts-wqy-zenhei python3) ;;
    # `make torch`: a virtual environment for PyTorch from PyPI.
    --python) pkgs+=(python3 python3-venv) ;;
    *) echo "install-deps.sh: unknown option $flag" >&2; exit 2 ;;
  esac
done
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
