#!/usr/bin/env bash
# OpenSSH sshd on 127.0.0.1:17022 for the SFTP/SSH tests (recipe: test-servers.md §3).
# User `dctctest` (shell /bin/bash, home $L/home/dctctest) logs in with the ed25519 key
# $L/keys/id_ed25519 or the generated password in $L/keys/dctctest.password.
# Usage: sshd.sh start|stop|env|deps     (start and stop need root)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=sshd
PORT=17022
USER_NAME=dctctest
HOME_DIR=$L/home/$USER_NAME
CONF_DIR=$L/sshd
KEYS=$L/keys
PASSWORD_FILE=$KEYS/$USER_NAME.password
SSHD=/usr/sbin/sshd   # sshd re-execs itself and refuses to run from a relative path

write_config() {
    write_sshd_config "$CONF_DIR/sshd_config" $PORT "$CONF_DIR" $USER_NAME
    cat >"$KEYS/ssh_config" <<CONF
Host dctc-sshd
    HostName 127.0.0.1
    Port $PORT
    User $USER_NAME
    IdentityFile $KEYS/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $KEYS/known_hosts
    StrictHostKeyChecking yes
    BatchMode yes
CONF
}

setup_user() {
    if id -u "$USER_NAME" >/dev/null 2>&1; then
        # A previous run may have used another DCTC_SRV_DIR: point the home at this one.
        [ "$(getent passwd "$USER_NAME" | cut -d: -f6)" = "$HOME_DIR" ] || usermod --home "$HOME_DIR" "$USER_NAME"
    else
        local group=--user-group
        getent group "$USER_NAME" >/dev/null && group="--gid $USER_NAME"
        useradd --home-dir "$HOME_DIR" --no-create-home --shell /bin/bash $group "$USER_NAME"
    fi
    # StrictModes refuses keys under a home or .ssh writable by others.
    install -d -m 755 -o "$USER_NAME" -g "$USER_NAME" "$HOME_DIR"
    install -d -m 700 -o "$USER_NAME" -g "$USER_NAME" "$HOME_DIR/.ssh"
    if [ ! -s "$PASSWORD_FILE" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$PASSWORD_FILE")
    fi
    chmod 600 "$PASSWORD_FILE"
    # useradd leaves the account locked ('!'); with UsePAM no, sshd then refuses even keys.
    # Setting the password unlocks it.
    echo "$USER_NAME:$(cat "$PASSWORD_FILE")" | chpasswd
}

setup_keys() {
    [ -f "$CONF_DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C dctc-test-host -f "$CONF_DIR/ssh_host_ed25519_key"
    [ -f "$KEYS/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C dctc-test-user -f "$KEYS/id_ed25519"
    chmod 600 "$CONF_DIR/ssh_host_ed25519_key" "$KEYS/id_ed25519"
    install -m 600 -o "$USER_NAME" -g "$USER_NAME" "$KEYS/id_ed25519.pub" "$HOME_DIR/.ssh/authorized_keys"
    echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$CONF_DIR/ssh_host_ed25519_key.pub")" >"$KEYS/known_hosts"
}

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "sshd already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    need_root "sshd.sh start"
    [ -x "$SSHD" ] || die "$SSHD is missing; run Scripts/test-servers/install-deps.sh"
    stop_pid $NAME   # a stale pid file
    srv_dirs "$CONF_DIR"
    setup_user
    setup_keys
    write_config
    # Containers have no tmpfiles.d to create the privilege separation directory. Never
    # remove it at stop: another sshd on the host may need it.
    mkdir -p /run/sshd && chmod 755 /run/sshd
    "$SSHD" -t -f "$CONF_DIR/sshd_config" || die "sshd rejected $CONF_DIR/sshd_config"
    launch $NAME "$SSHD" -D -e -f "$CONF_DIR/sshd_config"
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "sshd running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() {
    stop_pid $NAME
    rm -f "$CONF_DIR/sshd.pid"
    # Lock the password again so no other sshd on this machine accepts it; `start` unlocks it.
    if [ "$(id -u)" = 0 ] && id -u "$USER_NAME" >/dev/null 2>&1; then usermod --lock "$USER_NAME" 2>/dev/null || true; fi
}

env_vars() {
    cat <<VARS
export DCTC_TEST_SSH_HOST=127.0.0.1
export DCTC_TEST_SSH_PORT=$PORT
export DCTC_TEST_SSH_USER=$USER_NAME
export DCTC_TEST_SSH_KEY=$KEYS/id_ed25519
export DCTC_TEST_SSH_KNOWN_HOSTS=$KEYS/known_hosts
export DCTC_TEST_SSH_PASSWORD_FILE=$PASSWORD_FILE
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo openssh-server openssh-client ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
