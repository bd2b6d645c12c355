#!/usr/bin/env bash
# `make demo`: the main job on local folders, no server needed. Builds a sample tree, copies it
# compressed to a "backup" folder, reads the compressed copies, then keeps a mirror in sync
# while the source changes, and shows what moved.
# Usage: Scripts/demo.sh [path/to/dctc]   (DCTC_DEMO_DIR=folder to choose where it works)
set -euo pipefail
DCTC=${1:-.build/release/dctc}
if [[ ! -x "$DCTC" ]]; then
  echo "demo: no dctc binary at $DCTC (build it with \`make release\`, or run \`make demo\`)" >&2
  exit 2
fi
DCTC=$(cd "$(dirname "$DCTC")" && pwd)/$(basename "$DCTC")   # the demo runs in its own folder
DEMO=${DCTC_DEMO_DIR:-$(mktemp -d /tmp/dctc-demo.XXXXXX)}
SRC=$DEMO/source
DST=$DEMO/backup
MIRROR=$DEMO/mirror
mkdir -p "$SRC/logs/2024-05" "$SRC/reports"
# The sync state (hash cache, manifests) of the demo stays in the demo folder.
export XDG_STATE_HOME=$DEMO/state

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Shows the command as you would type it (with dctc on your PATH), then runs it.
run() { printf '$ dctc'; printf ' %q' "${@:2}"; printf '\n'; "$@"; }

# An embedded default tree: a few log files and a CSV report.
for d in 01 02 03; do
  for i in $(seq 1 2000); do
    printf '2024-05-%s 12:%02d:%02d INFO request id=%d path=/api/items/%d status=200\n' "$d" $((i / 60 % 60)) $((i % 60)) "$i" $((i * 7))
  done > "$SRC/logs/2024-05/app-$d.log"
done
printf 'country,orders\nFR,120\nDE,98\nJP,77\n' > "$SRC/reports/orders.csv"
cd "$DEMO"

step "The sample tree (in $DEMO)"
run "$DCTC" ls -lR source

step "Copy it to the backup folder, gzip-compressing on the way"
run "$DCTC" cp -r -v --compress gz source/ backup

step "What arrived (sizes are compressed)"
run "$DCTC" du -h backup
run "$DCTC" head -n 3 backup/logs/2024-05/app-01.log.gz

step "The copies decompress to the same bytes"
printf '$ dctc cat backup/reports/orders.csv.gz | dctc hash -\n'
"$DCTC" cat backup/reports/orders.csv.gz | "$DCTC" hash -
run "$DCTC" hash source/reports/orders.csv

step "Find and grep across the compressed backup"
run "$DCTC" find backup --name '*.log.gz' --type f
run "$DCTC" grep -c 'id=1999 ' backup/logs/2024-05/app-01.log.gz backup/logs/2024-05/app-02.log.gz

step "Keep a mirror in sync: the first run copies everything"
run "$DCTC" sync source mirror
run "$DCTC" ls mirror/reports

step "The source changes: a report grows, a new one arrives, an old log goes"
printf 'US,64\n' >> "$SRC/reports/orders.csv"
printf 'country,returns\nFR,3\n' > "$SRC/reports/returns.csv"
rm "$SRC/logs/2024-05/app-01.log"
run "$DCTC" sync --dry-run source mirror

step "Sync again: only what changed moves; then check that both sides match"
run "$DCTC" sync -v source mirror
run "$DCTC" check source mirror && echo "source and mirror match"

echo
echo "Demo folder: $DEMO (remove it with: rm -r $DEMO)"
