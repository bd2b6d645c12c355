#!/usr/bin/env bash
# A second OpenSSH sshd on 127.0.0.1:17401, for the ProxyJump tests: SFTP to this server
# jumping through the first one (sshd.sh, 127.0.0.1:17022), whose `direct-tcpip` channel
# carries the connection. It has its own host key (recorded in $L/keys/known_hosts_jump), the
# same user `dctctest` and the same key and password as sshd.sh, which it starts first (a
# no-op when that one runs already). tmux is in `deps` for the terminal prompt tests.
# Usage: sshd-jump.sh start|stop|env|deps     (start and stop need root)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=sshd-jump
PORT=17401
USER_NAME=dctctest
CONF_DIR=$L/sshd-jump
KEYS=$L/keys
SSHD=/usr/sbin/sshd   # sshd re-execs itself and refuses to run from a relative path

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "sshd-jump already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    need_root "sshd-jump.sh start"
    [ -x "$SSHD" ] || die "$SSHD is missing; run Scripts/test-servers/install-deps.sh"
    # The user, its key and password come from the first sshd.
    bash "$SRV_SCRIPTS/sshd.sh" start
    stop_pid $NAME   # a stale pid file
    srv_dirs "$CONF_DIR"
    [ -f "$CONF_DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C dctc-test-jump-host -f "$CONF_DIR/ssh_host_ed25519_key"
    chmod 600 "$CONF_DIR/ssh_host_ed25519_key"
    echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$CONF_DIR/ssh_host_ed25519_key.pub")" >"$KEYS/known_hosts_jump"
    write_sshd_config "$CONF_DIR/sshd_config" $PORT "$CONF_DIR" $USER_NAME
    mkdir -p /run/sshd && chmod 755 /run/sshd
    "$SSHD" -t -f "$CONF_DIR/sshd_config" || die "sshd rejected $CONF_DIR/sshd_config"
    launch $NAME "$SSHD" -D -e -f "$CONF_DIR/sshd_config"
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "sshd-jump running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() {
    stop_pid $NAME
    rm -f "$CONF_DIR/sshd.pid"
}

env_vars() {
    cat <<VARS
export DCTC_TEST_SSH_JUMP_PORT=$PORT
export DCTC_TEST_SSH_JUMP_KNOWN_HOSTS=$KEYS/known_hosts_jump
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo openssh-server openssh-client tmux ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
