#!/usr/bin/env bash
# `make demo`: the main job on local folders, no server needed. Builds a sample tree, copies it
# compressed to a "backup" folder, changes the source, copies again, and shows what happened.
set -euo pipefail
DCTC=${1:-.build/release/dctc}
DEMO=${DCTC_DEMO_DIR:-$(mktemp -d /tmp/dctc-demo.XXXXXX)}
SRC=$DEMO/source
DST=$DEMO/backup
mkdir -p "$SRC/logs/2024-05" "$SRC/reports"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# An embedded default tree: a few log files and a CSV report.
for d in 01 02 03; do
  for i in $(seq 1 2000); do echo "2024-05-$d 12:00:$((i % 60)) INFO request id=$i path=/api/items/$((i * 7)) status=200"; done > "$SRC/logs/2024-05/app-$d.log"
done
printf 'country,orders\nFR,120\nDE,98\nJP,77\n' > "$SRC/reports/orders.csv"

step "The sample tree"
run "$DCTC" ls -lR "$SRC"

step "Copy it to the backup folder, gzip-compressing on the way"
run "$DCTC" cp -r -v --compress gz "$SRC/" "$DST"

step "What arrived (sizes are compressed)"
run "$DCTC" du -h "$DST"
run "$DCTC" head -n 3 "$DST/logs/2024-05/app-01.log.gz"

step "The copies decompress to the same bytes"
"$DCTC" cat "$DST/reports/orders.csv.gz" | "$DCTC" hash - | sed 's/-$/backup:reports\/orders.csv.gz (decompressed)/'
run "$DCTC" hash "$SRC/reports/orders.csv"

step "Find and grep across the compressed backup"
run "$DCTC" find "$DST" --name '*.log.gz' --type f
run "$DCTC" grep -c 'id=1999 ' "$DST/logs/2024-05/app-01.log.gz" "$DST/logs/2024-05/app-02.log.gz"

echo
echo "Demo folder: $DEMO (remove it with: rm -r $DEMO)"
