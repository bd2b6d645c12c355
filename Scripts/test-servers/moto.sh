#!/usr/bin/env bash
# moto_server (an in-memory S3 emulator) on 127.0.0.1:17090 for the S3 tests (recipe:
# test-servers.md §6). moto does not check request signatures: any access key works, so
# signature tests run against rclone-s3.sh instead. Everything lives in RAM (large bodies
# spool to TMPDIR=$L/tmp/moto) and is lost on stop: use it for correctness, not benchmarks.
# Usage: moto.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=moto
PORT=17090

moto_path() { echo "$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')/moto_server"; }

ensure_moto() {
    [ -x "$(moto_path)" ] && python3 -c 'import moto.server' 2>/dev/null && return 0
    say "installing moto[server] with pip"
    python3 -m pip install -q 'moto[server]' >/dev/null 2>&1 \
        || python3 -m pip install -q --break-system-packages 'moto[server]' >/dev/null \
        || die "pip could not install moto[server]"
    [ -x "$(moto_path)" ] || die "$(moto_path) is missing after pip install moto[server]"
}

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "moto_server already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    stop_pid $NAME
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    ensure_moto
    srv_dirs "$L/tmp/moto"
    launch $NAME env TMPDIR="$L/tmp/moto" "$(moto_path)" -H 127.0.0.1 -p $PORT
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "moto_server running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() {
    stop_pid $NAME
    rm -rf "$L/tmp/moto"
}

env_vars() {
    cat <<VARS
export DCTC_TEST_MOTO_ENDPOINT=http://127.0.0.1:$PORT
export DCTC_TEST_MOTO_ACCESS_KEY_ID=AKIDMOTOTEST
export DCTC_TEST_MOTO_SECRET_ACCESS_KEY=SECRETMOTOTEST
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo python3-pip ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
