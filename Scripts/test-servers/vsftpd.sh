#!/usr/bin/env bash
# vsftpd for the FTP/FTPS tests (recipe: test-servers.md §4), two instances:
#   vsftpd      plain FTP on 127.0.0.1:17021, passive ports 17100-17199
#   vsftpd-tls  explicit FTPS (AUTH TLS) on 127.0.0.1:17023, passive ports 17200-17299,
#               TLS required for logins and data, self-signed certificate $L/keys/ftps-cert.pem
#               (subjectAltName IP:127.0.0.1, so a client that trusts it verifies the host too)
# The FTPS instance speaks TLS 1.2 only (an OpenSSL config of its own): vsftpd 3.0.3 with
# TLS 1.3 fails every upload after the first on a reused control connection with
# "426 Failure reading network stream" (curl's command-line tool shows it too), while TLS 1.2
# works. Both log in the system user `dctcftp` (shell /bin/bash for PAM's pam_shells, home
# $L/home/dctcftp) with the generated password in $L/keys/dctcftp.password.
# Usage: vsftpd.sh start|stop|env|deps     (start and stop need root: vsftpd and the user)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=17021
TLS_PORT=17023
USER_NAME=dctcftp
HOME_DIR=$L/home/$USER_NAME
CONF_DIR=$L/vsftpd
KEYS=$L/keys
PASSWORD_FILE=$KEYS/$USER_NAME.password
CERT=$KEYS/ftps-cert.pem
CERT_KEY=$KEYS/ftps-key.pem
VSFTPD=/usr/sbin/vsftpd

# write_config NAME PORT PASV_MIN PASV_MAX TLS(YES|NO)
write_config() {
    local name=$1 port=$2 pmin=$3 pmax=$4 tls=$5
    cat >"$CONF_DIR/$name.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=NO
userlist_enable=YES
userlist_deny=NO
userlist_file=$CONF_DIR/users
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$pmin
pasv_max_port=$pmax
port_enable=YES
connect_from_port_20=NO
pam_service_name=vsftpd
secure_chroot_dir=$CONF_DIR/empty
seccomp_sandbox=NO
use_localtime=NO
mdtm_write=YES
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$L/logs/$name.log
max_clients=200
max_per_ip=200
ssl_enable=$tls
CONF
    if [ "$tls" = YES ]; then
        cat >>"$CONF_DIR/$name.conf" <<CONF
rsa_cert_file=$CERT
rsa_private_key_file=$CERT_KEY
force_local_logins_ssl=YES
force_local_data_ssl=YES
allow_anon_ssl=NO
require_ssl_reuse=NO
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=YES
ssl_ciphers=HIGH
CONF
    fi
}

setup_user() {
    if id -u "$USER_NAME" >/dev/null 2>&1; then
        [ "$(getent passwd "$USER_NAME" | cut -d: -f6)" = "$HOME_DIR" ] || usermod --home "$HOME_DIR" "$USER_NAME"
    else
        local group=--user-group
        getent group "$USER_NAME" >/dev/null && group="--gid $USER_NAME"
        # pam_shells (in /etc/pam.d/vsftpd) wants a shell listed in /etc/shells.
        useradd --home-dir "$HOME_DIR" --no-create-home --shell /bin/bash $group "$USER_NAME"
    fi
    # pam_listfile denies users listed in /etc/ftpusers.
    grep -qx "$USER_NAME" /etc/ftpusers 2>/dev/null && die "$USER_NAME is listed in /etc/ftpusers; remove it there"
    install -d -m 755 -o "$USER_NAME" -g "$USER_NAME" "$HOME_DIR"
    if [ ! -s "$PASSWORD_FILE" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$PASSWORD_FILE")
    fi
    chmod 600 "$PASSWORD_FILE"
    # Also unlocks the account (useradd leaves it locked, `stop` locks it again).
    echo "$USER_NAME:$(cat "$PASSWORD_FILE")" | chpasswd
    echo "$USER_NAME" >"$CONF_DIR/users"
}

# vsftpd 3.0.3 cannot limit TLS versions itself: OpenSSL's own config does (TLS 1.2 exactly).
write_openssl_config() {
    cat >"$CONF_DIR/openssl-tls12.cnf" <<CONF
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.2
MaxProtocol = TLSv1.2
CipherString = DEFAULT@SECLEVEL=2
CONF
}

setup_cert() {
    [ -s "$CERT" ] && [ -s "$CERT_KEY" ] && return 0
    command -v openssl >/dev/null || die "openssl is missing; run Scripts/test-servers/install-deps.sh"
    (umask 077; openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$CERT_KEY" -out "$CERT" >/dev/null 2>&1) || die "openssl could not create the FTPS certificate"
    chmod 644 "$CERT"
}

# start_instance NAME PORT [VAR=VALUE...]   (environment for vsftpd)
start_instance() {
    local name=$1 port=$2
    shift 2
    if pid_of "$name" >/dev/null && port_open "$port"; then
        say "$name already running on 127.0.0.1:$port (pid $(pid_of "$name"))"
        return 0
    fi
    port_open "$port" && die "127.0.0.1:$port is taken by another process (not ours under $L); stop it or set DCTC_SRV_DIR to the folder that started it"
    stop_pid "$name"
    # `env` execs vsftpd, so the recorded PID is vsftpd's.
    launch "$name" env "$@" "$VSFTPD" "$CONF_DIR/$name.conf"
    if ! wait_port "$port" "$name"; then
        [ -f "$L/logs/$name.log" ] && tail -n 10 "$L/logs/$name.log" >>"$L/logs/$name.out"
        fail_start "$name" "$port"
    fi
    say "$name running on 127.0.0.1:$port (pid $(pid_of "$name"))"
}

start() {
    if pid_of vsftpd >/dev/null && port_open $PORT && pid_of vsftpd-tls >/dev/null && port_open $TLS_PORT; then
        say "vsftpd already running on 127.0.0.1:$PORT and :$TLS_PORT"
        return 0
    fi
    need_root "vsftpd.sh start"
    [ -x "$VSFTPD" ] || die "$VSFTPD is missing; run Scripts/test-servers/install-deps.sh"
    # vsftpd refuses to start without its (empty, root-owned) secure_chroot_dir.
    srv_dirs "$CONF_DIR" "$CONF_DIR/empty"
    chmod 755 "$CONF_DIR/empty"
    setup_user
    setup_cert
    write_config vsftpd $PORT 17100 17199 NO
    write_config vsftpd-tls $TLS_PORT 17200 17299 YES
    write_openssl_config
    start_instance vsftpd $PORT
    start_instance vsftpd-tls $TLS_PORT OPENSSL_CONF="$CONF_DIR/openssl-tls12.cnf"
}

stop() {
    stop_pid vsftpd-tls
    stop_pid vsftpd
    # Lock the password again so no other service on this machine accepts it; `start` unlocks it.
    if [ "$(id -u)" = 0 ] && id -u "$USER_NAME" >/dev/null 2>&1; then usermod --lock "$USER_NAME" 2>/dev/null || true; fi
}

env_vars() {
    cat <<VARS
export DCTC_TEST_FTP_HOST=127.0.0.1
export DCTC_TEST_FTP_PORT=$PORT
export DCTC_TEST_FTPS_PORT=$TLS_PORT
export DCTC_TEST_FTP_USER=$USER_NAME
export DCTC_TEST_FTP_PASSWORD_FILE=$PASSWORD_FILE
export DCTC_TEST_FTP_HOME=$HOME_DIR
export DCTC_TEST_FTPS_CA_FILE=$CERT
VARS
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) env_vars ;;
    deps) echo vsftpd openssl ;;
    *) die "usage: $0 start|stop|env|deps" ;;
esac
