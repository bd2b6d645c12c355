#!/usr/bin/env bash
# dctc sync against rclone sync, same servers, same run (run by hand; minutes, not for CI).
# A tree of FILES x 4 KiB files in 100 folders, local -> S3 (rclone serve s3) and -> SFTP (sshd):
#   cold sync into an empty destination, the no-change re-sync, and the no-change --checksum
#   re-sync; with default flags and with --transfers 32. Prints medians and dctc/rclone time
#   ratios (below 1: dctc is faster). The servers must be up (`make test-servers`).
# Environment: DCTC (.build/release/dctc), FILES (10000), RUNS (3), TARGETS ("s3 sftp").
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
bench_tools
FILES=${FILES:-10000}
RUNS=${RUNS:-3}
TARGETS=${TARGETS:-s3 sftp}
for s in sshd rclone-s3; do eval "$(bash Scripts/test-servers/$s.sh env)"; done

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-sync-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src"
for d in $(seq 0 99); do mkdir -p "$W/src/d$d"; done
head -c $((FILES * 4096)) /dev/urandom | split -a 5 -d -b 4096 - "$W/src/f"
i=0; for f in "$W"/src/f*; do mv "$f" "$W/src/d$((i % 100))/"; i=$((i + 1)); done
{ dctc_box "max_connections = 8"; dctc_lake; } > "$W/dctc.toml"
{ rclone_box "shell_type = unix" "md5sum_command = md5sum"; rclone_lake; } > "$W/rclone.conf"
bench_use_configs "$W"
"$DCTC" mkdir lake:dctc-sync-bench >/dev/null 2>&1 || true

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$W/err" || { echo "FAILED: $*" >&2; tail -3 "$W/err" >&2; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
clean() { "$DCTC" rm -r --force "$1" >/dev/null 2>&1 || true; }

# The machine is often shared: say how busy it was, so the table can be read with that in mind.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| target | flags | run | dctc s | rclone s | dctc/rclone |\n|---|---|---|---:|---:|---:|\n'
for target in $TARGETS; do
  case $target in
    s3) D=lake:dctc-sync-bench/d; R=lake:dctc-sync-bench/r ;;
    sftp) D=box:/tmp/dctc-sync-bench/d; R=box:/tmp/dctc-sync-bench/r ;;
  esac
  for flags in "" "--transfers 32"; do
    for run in cold no-change no-change-checksum; do
      dt=(); rt=()
      for n in $(seq "$RUNS"); do
        if [ "$run" = cold ]; then clean "$D"; clean "$R"; rm -rf "$W/state"; fi
        extra=""; [ "$run" = no-change-checksum ] && extra="--checksum"
        # rclone opens one connection per transfer; dctc caps connections per store (S3 8), so
        # the same concurrency needs --max-connections as well.
        dflags=$flags; [ -n "$flags" ] && dflags="$flags --max-connections 32"
        dt+=("$(XDG_STATE_HOME="$W/state" timeit "$DCTC" sync $dflags $extra "$W/src" "$D")")
        rt+=("$(timeit "$RCLONE" sync $flags $extra "$W/src" "$R")")
      done
      d=$(printf '%s\n' "${dt[@]}" | median); r=$(printf '%s\n' "${rt[@]}" | median)
      printf '| %s | %s | %s | %.2f | %.2f | %.2f |\n' "$target" "${flags:-default}" "$run" "$d" "$r" "$(echo "$d / $r" | bc -l)"
    done
  done
  clean "$D"; clean "$R"
done
clean lake:dctc-sync-bench
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
