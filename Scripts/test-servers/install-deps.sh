#!/usr/bin/env bash
# Installs the Debian packages the test servers need (each server script's `deps`), skipping
# those already installed. Non-interactive and quiet; needs root. Usage: install-deps.sh [SERVER...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -gt 0 ]; then scripts=(); for s in "$@"; do scripts+=("$SRV_SCRIPTS/$s.sh"); done
else scripts=(); for f in "$SRV_SCRIPTS"/*.sh; do
    case "$(basename "$f")" in lib.sh|all.sh|install-deps.sh) continue ;; esac; scripts+=("$f"); done
fi

missing=()
for f in "${scripts[@]}"; do
    [ -f "$f" ] || die "no server script $f"
    for pkg in $(bash "$f" deps); do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
done
[ ${#missing[@]} -eq 0 ] && exit 0

need_root "installing ${missing[*]}"
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
