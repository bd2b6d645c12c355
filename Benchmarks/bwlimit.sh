#!/usr/bin/env bash
# --bwlimit: a 20 MiB file up to and down from S3 (rclone serve s3) and SFTP at 2 MiB/s, with dctc
# and rclone on the same servers in the same run. The aim: 10 s (20 MiB / 2 MiB/s) within ±15 %.
# Prints wall seconds, the deviation from 10 s, and each client's CPU seconds.
# Run by hand (about two minutes): the servers must be up (`make test-servers`).
# Environment: DCTC (default .build/release/dctc), SIZE_MIB (20), RATE_MIB (2).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
bench_tools
SIZE_MIB=${SIZE_MIB:-20}
RATE_MIB=${RATE_MIB:-2}
for s in sshd rclone-s3; do eval "$(bash Scripts/test-servers/$s.sh env)"; done

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-bwlimit-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$W/f.bin"
{ dctc_box; dctc_lake; } > "$W/dctc.toml"
{ rclone_box; rclone_lake; } > "$W/rclone.conf"
bench_use_configs "$W"
EXPECTED=$(echo "$SIZE_MIB / $RATE_MIB" | bc -l)

run() {  # tool, direction, store, command...: prints a row
  local tool=$1 dir=$2 store=$3; shift 3
  /usr/bin/time -f '%e %U %S' -o "$W/time" "$@" >/dev/null 2>"$W/err" || { echo "FAILED: $*" >&2; cat "$W/err" >&2; return; }
  read -r wall user sys < "$W/time"
  printf '| %s | %s | %s | %.1f | %+.1f %% | %.2f |\n' "$store" "$dir" "$tool" "$wall" \
    "$(echo "($wall - $EXPECTED) * 100 / $EXPECTED" | bc -l)" "$(echo "$user + $sys" | bc -l)"
}

printf '| store | direction | client | seconds (aim %.0f) | off the aim | client CPU s |\n|---|---|---|---:|---:|---:|\n' "$EXPECTED"
R=/tmp/dctc-bwlimit-$$
"$DCTC" mkdir lake:dctc-bwlimit >/dev/null 2>&1 || true
run dctc up s3 "$DCTC" cp --bwlimit "${RATE_MIB}M" "$W/f.bin" lake:dctc-bwlimit/d.bin
run rclone up s3 "$RCLONE" copyto --bwlimit "${RATE_MIB}M" "$W/f.bin" lake:dctc-bwlimit/r.bin
run dctc down s3 "$DCTC" cp --bwlimit "${RATE_MIB}M" lake:dctc-bwlimit/d.bin "$W/d-down.bin"
run rclone down s3 "$RCLONE" copyto --bwlimit "${RATE_MIB}M" lake:dctc-bwlimit/r.bin "$W/r-down.bin"
run dctc up sftp "$DCTC" cp --bwlimit "${RATE_MIB}M" "$W/f.bin" "box:$R/d.bin"
run rclone up sftp "$RCLONE" copyto --bwlimit "${RATE_MIB}M" "$W/f.bin" "box:$R/r.bin"
run dctc down sftp "$DCTC" cp --bwlimit "${RATE_MIB}M" "box:$R/d.bin" "$W/d-down2.bin"
run rclone down sftp "$RCLONE" copyto --bwlimit "${RATE_MIB}M" "box:$R/r.bin" "$W/r-down2.bin"
for f in d-down.bin d-down2.bin; do cmp -s "$W/f.bin" "$W/$f" || echo "MISMATCH: $f" >&2; done
"$DCTC" rm -r "box:$R" >/dev/null 2>&1 || true
"$DCTC" rm -r --force lake:dctc-bwlimit >/dev/null 2>&1 || true
