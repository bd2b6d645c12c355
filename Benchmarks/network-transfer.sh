#!/usr/bin/env bash
# One large file up to and down from every store, with dctc, curl (the loopback limit) and
# rclone, on the same loopback servers in the same run. Prints throughput, the ratios
# dctc/curl and dctc/rclone (above 1: dctc is faster), and dctc's peak RSS.
# Run by hand (several minutes): the servers must be up (`make test-servers`).
# Environment: DCTC (default .build/release/dctc), SIZE_MIB (1024), STORES ("sftp ftp webdav http s3").
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
bench_tools
SIZE_MIB=${SIZE_MIB:-1024}
STORES=${STORES:-sftp ftp webdav http s3}
for s in sshd vsftpd nginx rclone-s3; do eval "$(bash Scripts/test-servers/$s.sh env)"; done

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-net-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$W/big.bin"
FTPPASS=$(cat "$DCTC_TEST_FTP_PASSWORD_FILE")
{ dctc_box; cat <<EOT; dctc_lake; } > "$W/dctc.toml"
[accounts.ftpbox]
type = "ftp"
host = "127.0.0.1"
port = $DCTC_TEST_FTP_PORT
user = "$DCTC_TEST_FTP_USER"
password_command = "cat $DCTC_TEST_FTP_PASSWORD_FILE"
root = "$DCTC_TEST_FTP_HOME"

[accounts.dav]
type = "webdav"
url = "$DCTC_TEST_WEBDAV_URL"

[accounts.web]
type = "http"
url = "$DCTC_TEST_HTTP_JSON_URL"

EOT
{ rclone_box; cat <<EOT; rclone_lake; } > "$W/rclone.conf"
[ftpbox]
type = ftp
host = 127.0.0.1
port = $DCTC_TEST_FTP_PORT
user = $DCTC_TEST_FTP_USER
pass = $("$RCLONE" obscure "$FTPPASS")
writing_mdtm = true

[dav]
type = webdav
url = $DCTC_TEST_WEBDAV_URL
vendor = other

[web]
type = http
url = $DCTC_TEST_HTTP_JSON_URL

EOT
bench_use_configs "$W"
RSS=0
HPK=$(ssh-keygen -lf /tmp/dctc-srv/sshd/ssh_host_ed25519_key.pub -E sha256 2>/dev/null | awk '{print $2}' | sed 's/^SHA256://' || true)

secs() {  # runs a command, prints wall seconds
  local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$W/err" || { echo "FAILED: $*" >&2; cat "$W/err" >&2; echo 0; return; }
  t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l
}
dctc_secs() {  # like secs, under /usr/bin/time -v; sets RSS
  local t0 t1; t0=$(date +%s.%N)
  /usr/bin/time -v -o "$W/time" "$DCTC" "$@" >/dev/null 2>"$W/err" || { echo "FAILED: dctc $*" >&2; cat "$W/err" >&2; }
  t1=$(date +%s.%N)
  # $(...) runs this in a subshell: keep the peak RSS in a file, max over the store's runs.
  local rss=$(( $(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$W/time") / 1024 ))
  local prev=$(cat "$W/rss" 2>/dev/null || echo 0); [ "$rss" -gt "$prev" ] && echo "$rss" > "$W/rss"
  echo "$t1 - $t0" | bc -l
}
rate() { echo "scale=1; $SIZE_MIB / $1" | bc -l; }
ratio() { echo "scale=2; $2 / $1" | bc -l; }   # time_other / time_dctc = throughput ratio dctc/other

printf '| store | direction | dctc MiB/s | curl MiB/s | rclone MiB/s | dctc/curl | dctc/rclone | dctc peak RSS |\n|---|---|---:|---:|---:|---:|---:|---:|\n'
row() {  # store dir d c r
  RSS=$(cat "$W/rss" 2>/dev/null || echo 0); rm -f "$W/rss"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s MiB |\n' "$1" "$2" "$(rate "$3")" "$(rate "$4")" "$(rate "$5")" "$(ratio "$3" "$4")" "$(ratio "$3" "$5")" "$RSS"
}
for store in $STORES; do
  case $store in
    sftp)
      R=/tmp/dctc-bench-$$; U=sftp://127.0.0.1:$DCTC_TEST_SSH_PORT$R
      CURLSSH=(--key "$DCTC_TEST_SSH_KEY" --pubkey "$DCTC_TEST_SSH_KEY.pub" -u "$DCTC_TEST_SSH_USER:" --hostpubsha256 "$HPK")
      d=$(dctc_secs cp "$W/big.bin" "box:$R/d.bin")
      c=$(secs curl -sS "${CURLSSH[@]}" --ftp-create-dirs -T "$W/big.bin" "$U/c.bin")
      r=$(secs "$RCLONE" copyto "$W/big.bin" "box:$R/r.bin"); row sftp upload "$d" "$c" "$r"
      d=$(dctc_secs cp "box:$R/d.bin" "$W/down.bin"); rm -f "$W/down.bin"
      c=$(secs curl -sS "${CURLSSH[@]}" -o "$W/down.bin" "$U/c.bin"); rm -f "$W/down.bin"
      r=$(secs "$RCLONE" copyto "box:$R/r.bin" "$W/down.bin"); rm -f "$W/down.bin"; row sftp download "$d" "$c" "$r"
      "$DCTC" rm -r "box:$R" >/dev/null 2>&1 || true ;;
    ftp)
      d=$(dctc_secs cp "$W/big.bin" "ftpbox:/bench/d.bin")
      c=$(secs curl -sS -u "$DCTC_TEST_FTP_USER:$FTPPASS" --ftp-create-dirs -T "$W/big.bin" "ftp://127.0.0.1:$DCTC_TEST_FTP_PORT/bench/c.bin")
      r=$(secs "$RCLONE" copyto "$W/big.bin" "ftpbox:bench/r.bin"); row ftp upload "$d" "$c" "$r"
      d=$(dctc_secs cp "ftpbox:/bench/d.bin" "$W/down.bin"); rm -f "$W/down.bin"
      c=$(secs curl -sS -u "$DCTC_TEST_FTP_USER:$FTPPASS" -o "$W/down.bin" "ftp://127.0.0.1:$DCTC_TEST_FTP_PORT/bench/c.bin"); rm -f "$W/down.bin"
      r=$(secs "$RCLONE" copyto "ftpbox:bench/r.bin" "$W/down.bin"); rm -f "$W/down.bin"; row ftp download "$d" "$c" "$r"
      "$DCTC" rm -r "ftpbox:/bench" >/dev/null 2>&1 || true ;;
    webdav)
      d=$(dctc_secs cp "$W/big.bin" "dav:bench/d.bin")
      c=$(secs curl -sS -T "$W/big.bin" "$DCTC_TEST_WEBDAV_URL/bench/c.bin")
      r=$(secs "$RCLONE" copyto "$W/big.bin" "dav:bench/r.bin"); row webdav upload "$d" "$c" "$r"
      d=$(dctc_secs cp "dav:bench/d.bin" "$W/down.bin"); rm -f "$W/down.bin"
      c=$(secs curl -sS -o "$W/down.bin" "$DCTC_TEST_WEBDAV_URL/bench/c.bin"); rm -f "$W/down.bin"
      r=$(secs "$RCLONE" copyto "dav:bench/r.bin" "$W/down.bin"); rm -f "$W/down.bin"; row webdav download "$d" "$c" "$r"
      "$DCTC" rm -r "dav:bench" >/dev/null 2>&1 || true ;;
    http)
      cp "$W/big.bin" "$DCTC_TEST_HTTP_ROOT/bench-big.bin"
      d=$(dctc_secs cp "web:bench-big.bin" "$W/down.bin"); rm -f "$W/down.bin"
      c=$(secs curl -sS -o "$W/down.bin" "$DCTC_TEST_HTTP_JSON_URL/bench-big.bin"); rm -f "$W/down.bin"
      r=$(secs "$RCLONE" copyto "web:bench-big.bin" "$W/down.bin"); rm -f "$W/down.bin"; row http download "$d" "$c" "$r"
      rm -f "$DCTC_TEST_HTTP_ROOT/bench-big.bin" ;;
    s3)
      "$DCTC" mkdir lake:dctc-bench >/dev/null 2>&1 || true
      S3=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID:$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
      d=$(dctc_secs cp "$W/big.bin" "lake:dctc-bench/d.bin")
      c=$(secs curl -sSf "${S3[@]}" -T "$W/big.bin" "$DCTC_TEST_RCLONE_S3_ENDPOINT/dctc-bench/c.bin")
      r=$(secs "$RCLONE" copyto "$W/big.bin" "lake:dctc-bench/r.bin"); row s3 upload "$d" "$c" "$r"
      d=$(dctc_secs cp "lake:dctc-bench/d.bin" "$W/down.bin"); rm -f "$W/down.bin"
      c=$(secs curl -sSf "${S3[@]}" -o "$W/down.bin" "$DCTC_TEST_RCLONE_S3_ENDPOINT/dctc-bench/c.bin"); rm -f "$W/down.bin"
      r=$(secs "$RCLONE" copyto "lake:dctc-bench/r.bin" "$W/down.bin"); rm -f "$W/down.bin"; row s3 download "$d" "$c" "$r"
      "$DCTC" rm -r --force "lake:dctc-bench" >/dev/null 2>&1 || true ;;
  esac
done
