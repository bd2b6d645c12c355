#!/usr/bin/env bash
# The no-op `dctc flow build` of 365 daily partitions × 3 steps on local stores (issue 5's aim:
# under 1 s). Builds everything once, then times the repeat build, which must find every unit
# fresh. Usage: Benchmarks/flow-noop.sh [DCTC_BINARY]   (default: .build/release/dctc)
set -euo pipefail
DCTC=$(realpath "${1:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/dctc}")
work=$(mktemp -d /tmp/dctc-flow-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME=$work/state
mkdir -p "$work/raw"
python3 - "$work/raw" <<'PY'
import datetime, sys
d = datetime.date(2013, 1, 1)
for i in range(365):
    day = d + datetime.timedelta(days=i)
    with open(f"{sys.argv[1]}/{day.isoformat()}.csv", "w") as f:
        for j in range(50):
            f.write(f"{day.isoformat()},{j},{(i * 31 + j) % 97}\n")
PY
cat > "$work/pipeline.dctc.yaml" <<'YAML'
name: bench
dimensions:
  date: {type: time, grain: day, start: 2013-01-01, end: 2013-12-31}
datasets:
  raw: {path: "raw/{date}.csv", external: true}
  gz: {path: "gz/{date:%Y/%m/%d}.csv.gz"}
  plain: {path: "plain/{date}.csv"}
  weekly: {path: "weekly/{date}.csv"}
steps:
  compress: {kind: copy, compress: gz, input: raw, output: gz}
  expand: {kind: copy, decompress: true, input: gz, output: plain}
  week:
    kind: shell
    command: "cat {inputs} > {output}"
    inputs:
      - {dataset: plain, date: "window(-6d, 0d)"}
    output: weekly
YAML
cd "$work"
start=$(date +%s.%N)
"$DCTC" flow build 'weekly@2013-01-01/2013-12-31' -j 8 >/dev/null 2>&1 || { echo "first build failed" >&2; exit 1; }
end=$(date +%s.%N)
echo "first build (1095 units): $(python3 -c "print(round($end - $start, 2))") s"
"$DCTC" flow build 'weekly@2013-01-01/2013-12-31' --json | tail -1 | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["built"]==0 and r["fresh"]==1095, r; print("no-op check: 1095 fresh, 0 built")'
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 10 --export-json "$work/h.json" "$DCTC flow build 'weekly@2013-01-01/2013-12-31'" >/dev/null 2>&1
  python3 -c "import json; r=json.load(open('$work/h.json'))['results'][0]; print(f'no-op build of 365 × 3 units: mean {r[\"mean\"]:.3f} s, min {r[\"min\"]:.3f} s, max {r[\"max\"]:.3f} s (10 runs)')"
else
  /usr/bin/time -f "no-op build: %e s, %M KiB peak RSS" "$DCTC" flow build 'weekly@2013-01-01/2013-12-31' >/dev/null
fi
