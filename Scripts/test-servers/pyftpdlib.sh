#!/usr/bin/env bash
# pyftpdlib on 127.0.0.1:17031 (passive ports 17300-17399) for the FTP tests: unlike vsftpd it
# speaks MLSD/MLST and MFMT, so the FTP store's MLSD path runs against a real server too
# (recipe: test-servers.md §4). Virtual user `dctcftp` with the generated password in
# $L/keys/pyftpdlib.password, read/write on $L/data/pyftp. No root needed.
# Usage: pyftpdlib.sh start|stop|env|deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=pyftpdlib
PORT=17031
USER_NAME=dctcftp
DATA=$L/data/pyftp
PASSWORD_FILE=$L/keys/pyftpdlib.password

ensure_pyftpdlib() {
    python3 -c 'import pyftpdlib' 2>/dev/null && return 0
    say "installing pyftpdlib with pip"
    python3 -m pip install -q pyftpdlib >/dev/null 2>&1 || python3 -m pip install -q --break-system-packages pyftpdlib >/dev/null \
        || die "pip could not install pyftpdlib"
}

start() {
    if pid_of $NAME >/dev/null && port_open $PORT; then
        say "$NAME already running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
        return 0
    fi
    port_open $PORT && die "127.0.0.1:$PORT is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    ensure_pyftpdlib
    stop_pid $NAME
    srv_dirs "$DATA"
    if [ ! -s "$PASSWORD_FILE" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$PASSWORD_FILE")
    fi
    chmod 600 "$PASSWORD_FILE"
    # The password goes through a file read by Python, never through argv (ps would show it).
    launch $NAME python3 -c '
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
data, user, pwfile, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(pwfile) as f:
    password = f.read().strip()
auth = DummyAuthorizer()
auth.add_user(user, password, data, perm="elradfmwMT")
handler = FTPHandler
handler.authorizer = auth
handler.passive_ports = range(17300, 17400)
handler.masquerade_address = "127.0.0.1"
server = FTPServer(("127.0.0.1", port), handler)
server.max_cons = 256
server.max_cons_per_ip = 256
server.serve_forever()
' "$DATA" "$USER_NAME" "$PASSWORD_FILE" "$PORT"
    wait_port $PORT $NAME || fail_start $NAME $PORT
    say "$NAME running on 127.0.0.1:$PORT (pid $(pid_of $NAME))"
}

stop() { stop_pid $NAME; }

env_vars() {
    cat <<VARS
export DCTC_TEST_PYFTP_HOST=127.0.0.1
export DCTC_TEST_PYFTP_PORT=$PORT
export DCTC_TEST_PYFTP_USER=$USER_NAME
export DCTC_TEST_PYFTP_PASSWORD_FILE=$PASSWORD_FILE
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo python3-pip ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
