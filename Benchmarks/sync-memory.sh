#!/usr/bin/env bash
# Peak memory of `dctc sync` on a huge tree (default 1,000,000 empty files in 1,000 folders),
# local -> local: the cold sync, then the no-change re-sync, each under /usr/bin/time -v.
# Fails when a run's peak RSS exceeds LIMIT_MIB (500). Run by hand (minutes, not for CI).
# Environment: DCTC (default .build/release/dctc), FILES (1000000), DIRS (1000), LIMIT_MIB (500), WORK.
set -euo pipefail
DCTC=${DCTC:-.build/release/dctc}
FILES=${FILES:-1000000}
DIRS=${DIRS:-1000}
LIMIT_MIB=${LIMIT_MIB:-500}
[ -x "$DCTC" ] || { echo "no dctc at $DCTC (swift build -c release)" >&2; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
W=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/dctc-sync-memory.XXXXXX")}
mkdir -p "$W"
if [ ! -f "$W/src/.complete-$FILES" ]; then
  echo "creating $FILES files in $DIRS folders under $W/src"
  rm -rf "$W/src"
  python3 - "$W/src" "$FILES" "$DIRS" <<'PY'
import os, sys
root, files, dirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = files // dirs
for d in range(dirs):
    p = os.path.join(root, f"d{d:04d}")
    os.makedirs(p, exist_ok=True)
    for f in range(per):
        open(os.path.join(p, f"f{f:05d}"), "wb").close()
open(os.path.join(root, f".complete-{files}"), "wb").close()
PY
fi
rm -rf "$W/dst" "$W/state"
status=0
measure() {  # label, args...
  local label=$1; shift
  /usr/bin/time -v -o "$W/time.txt" env XDG_STATE_HOME="$W/state" "$DCTC" "$@" >/dev/null 2>"$W/err.txt" || { cat "$W/err.txt" >&2; status=1; }
  local rss_kb secs
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$W/time.txt")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$W/time.txt")
  local mib=$((rss_kb / 1024))
  local verdict=ok
  if [ "$mib" -gt "$LIMIT_MIB" ]; then verdict="OVER $LIMIT_MIB MiB"; status=1; fi
  printf '%-28s %10s   peak RSS %5d MiB  %s\n' "$label" "$secs" "$mib" "$verdict"
}
echo "dctc sync of $FILES files ($DIRS folders), local -> local"
measure "cold sync" sync "$W/src" "$W/dst"
measure "no-change re-sync" sync "$W/src" "$W/dst"
measure "no-change --checksum" sync --checksum "$W/src" "$W/dst"
[ -z "${WORK:-}" ] && rm -rf "$W"
exit $status
