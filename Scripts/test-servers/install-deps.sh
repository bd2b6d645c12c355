#!/usr/bin/env bash
# Installs the Debian packages the test servers need (each server script's `deps`), skipping
# those already installed. Non-interactive and quiet; needs root (or sudo).
# Usage: install-deps.sh [SERVER...]   (default: every server script in this folder)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scripts=()
if [ $# -gt 0 ]; then
    for s in "$@"; do scripts+=("$SRV_SCRIPTS/$s.sh"); done
else
    while read -r f; do scripts+=("$f"); done < <(server_scripts)
fi

missing=()
for f in "${scripts[@]}"; do
    [ -f "$f" ] || die "no server script $f"
    for pkg in $(bash "$f" deps); do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
done
[ ${#missing[@]} -eq 0 ] && exit 0

say "installing ${missing[*]}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"; }
# Fresh package lists make the first try enough; a fresh machine needs `apt-get update` first.
apt_install >/dev/null 2>&1 || { $SUDO apt-get update -qq >/dev/null && apt_install >/dev/null; }
