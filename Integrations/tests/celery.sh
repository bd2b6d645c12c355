#!/usr/bin/env bash
# The CeleryExecutor test of Integrations/test.sh (sourced by it, after its setup): Redis
# (Debian's redis-server) on 127.0.0.1:17700, Airflow's api-server, scheduler and dag-processor,
# and two Celery workers with different HOME and state folders, as two machines would have.
# The exported DAG of workers.dctc.yaml (7-day windows on S3, 14 days) runs on them:
#   1. every unit is built exactly once across the workers;
#   2. a second run builds nothing (the worker that did not build a unit adopts its sidecar);
#   3. a changed raw day rebuilds exactly its dependents, while a broken raw day fails its task
#      and its dependents end upstream_failed (one run).
# Uses: $VENV_AIRFLOW, $DCTC_BIN, $WORK, $LOGS, $TESTS, say, fail, pass, run_logged (test.sh).

command -v redis-server >/dev/null || fail "redis-server is missing: run Scripts/install-deps.sh --test"
CEL=$WORK/celery
mkdir -p "$CEL/dags" "$CEL/project/raw"
CEL_PIDS=()
# Stops the processes this test started (by their PIDs; their own children with them).
celery_stop() {
    local pid
    [ ${#CEL_PIDS[@]} -gt 0 ] || return 0
    for pid in "${CEL_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 30); do
        local alive=0
        for pid in "${CEL_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive -eq 0 ] && return 0
        sleep 1
    done
    for pid in "${CEL_PIDS[@]}"; do
        # shellcheck disable=SC2046 # the children's PIDs, one word each
        kill -9 "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null) 2>/dev/null || true
    done
}
trap 'celery_stop; cleanup' EXIT

bucket="dctc-workers-$$-$RANDOM"
sed "s/dctc-workers-bucket/$bucket/" "$TESTS/workers.dctc.yaml" >"$CEL/project/pipeline.dctc.yaml"
for day in $(seq -w 1 14); do
    printf 'b %s\na %s\n' "$day" "$day" >"$CEL/project/raw/2013-06-$day.log"
done
BUILD_LOG=$CEL/builds.log
: >"$BUILD_LOG"

unset AIRFLOW_VAR_DCTC_STATE  # each worker keeps its own state file, as machines do
(
    export AIRFLOW_HOME=$CEL/home AIRFLOW__CORE__DAGS_FOLDER=$CEL/dags AIRFLOW__CORE__LOAD_EXAMPLES=False
    export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
    export AIRFLOW__CELERY__BROKER_URL=redis://127.0.0.1:17700/0
    export AIRFLOW__CELERY__RESULT_BACKEND=db+sqlite:///$CEL/celery-results.db
    export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:17701/execution/
    export AIRFLOW__API_AUTH__JWT_SECRET=dctc-integ-$RANDOM$RANDOM AIRFLOW__API__SECRET_KEY=dctc-integ-$RANDOM$RANDOM
    export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
    export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5 AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT=600
    # A loaded test machine answers slowly: patient workers rather than failed tasks.
    export AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT=60 AIRFLOW__WORKERS__EXECUTION_API_RETRIES=10
    export AIRFLOW_VAR_DCTC_EXECUTABLE=$DCTC_BIN AIRFLOW_VAR_DCTC_PIPELINE=$CEL/project/pipeline.dctc.yaml
    export DCTC_BUILD_LOG=$BUILD_LOG
    env | grep -E '^(AIRFLOW|DCTC_BUILD_LOG|AIRFLOW_VAR)' | sed 's/^/export /' >"$CEL/env.sh"
)
# shellcheck disable=SC1091
. "$CEL/env.sh"
AF=$VENV_AIRFLOW/bin/airflow
af() { "$AF" "$@"; }

# The fan-out test's tree: 20,000 objects on rclone serve s3, reached through a byte proxy that
# logs every request with its time (Scripts/test-servers/byte-proxy.py), so the shards'
# listings can be counted.
eval "$(bash "$ROOT/Scripts/test-servers/rclone-s3.sh" env)"
FAN=$CEL/fanout
mkdir -p "$FAN/proxy" "$FAN/tree"
python3 "$ROOT/Scripts/test-servers/byte-proxy.py" "${DCTC_TEST_RCLONE_S3_ENDPOINT##*:}" "$FAN/proxy" >"$LOGS/fan-proxy.log" 2>&1 &
CEL_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$FAN/proxy/port" ] && break; sleep 0.1; done
[ -s "$FAN/proxy/port" ] || fail "the byte proxy did not start (see $LOGS/fan-proxy.log)"
fan_src="dctc-fan-src-$$-$RANDOM" fan_dst="dctc-fan-dst-$$-$RANDOM"
cat >"$FAN/config.toml" <<TOML
[accounts.fan]
type = "s3"
endpoint = "http://127.0.0.1:$(cat "$FAN/proxy/port")"
region = "us-east-1"
access_key_id = "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"
secret_access_key = "$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"

[accounts.direct]
type = "s3"
endpoint = "$DCTC_TEST_RCLONE_S3_ENDPOINT"
region = "us-east-1"
access_key_id = "$DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"
secret_access_key = "$DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"
TOML
chmod 600 "$FAN/config.toml"
export DCTC_FANOUT_CONFIG=$FAN/config.toml DCTC_FANOUT_SOURCE=fan:$fan_src/logs DCTC_FANOUT_DESTINATION=fan:$fan_dst/logs
"$VENV_AIRFLOW/bin/python" - "$FAN/tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(40):  # 40 days x 500 parts, names around "/" in byte order ("day=01-x" < "day=01/")
    os.makedirs(f"{root}/logs/day={d:02d}", exist_ok=True)
    for p in range(500):
        with open(f"{root}/logs/day={d:02d}/part-{p:04d}.txt", "w") as f:
            f.write(f"day {d} part {p}\n")
    with open(f"{root}/logs/day={d:02d}-x", "w") as f:
        f.write("beside\n")
PY
fan() { DCTC_CONFIG=$FAN/config.toml XDG_STATE_HOME=$FAN/state "$DCTC_BIN" "$@"; }
run_logged fan-mkdir fan mkdir "direct:$fan_src" "direct:$fan_dst"
run_logged fan-upload fan sync "$FAN/tree/logs" "direct:$fan_src/logs" --transfers 16 --no-state
fan_files=$(find "$FAN/tree/logs" -type f | wc -l)

run_logged celery-db-migrate af db migrate
redis-server --port 17700 --bind 127.0.0.1 --save "" --appendonly no >"$LOGS/redis.log" 2>&1 &
CEL_PIDS+=($!)
"$AF" api-server --host 127.0.0.1 --port 17701 >"$LOGS/api-server.log" 2>&1 &
CEL_PIDS+=($!)
"$AF" scheduler >"$LOGS/scheduler.log" 2>&1 &
CEL_PIDS+=($!)
"$AF" dag-processor >"$LOGS/dag-processor.log" 2>&1 &
CEL_PIDS+=($!)
for n in 1 2; do
    mkdir -p "$CEL/worker$n/home" "$CEL/worker$n/state"
    HOME=$CEL/worker$n/home XDG_STATE_HOME=$CEL/worker$n/state DCTC_WORKER_NAME=worker$n \
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$((17701 + n)) \
        "$AF" celery worker --concurrency 2 --celery-hostname "worker$n@%h" >"$LOGS/worker$n.log" 2>&1 &
    CEL_PIDS+=($!)
done

cp "$TESTS/integ_fanout_dag.py" "$CEL/dags/"
run_logged export-workers "$DCTC_BIN" flow export airflow --pipeline "$CEL/project/pipeline.dctc.yaml" \
    --target week@2013-06-07/2013-06-14 --dag-id integ_workers --retries 0 --out "$CEL/dags/integ_workers.py"

# Waits for the DAG to be parsed, triggers a run, waits for it to end; prints its state.
n_run=0
celery_run() { # EXPECTED_STATE [DAG_ID]
    n_run=$((n_run + 1))
    local dag=${2:-integ_workers} run_id="integ_$n_run" state="" t0=$SECONDS
    for _ in $(seq 1 120); do
        af dags trigger "$dag" --run-id "$run_id" >"$LOGS/trigger-$n_run.log" 2>&1 && break
        sleep 2
    done
    grep -q "$run_id" "$LOGS/trigger-$n_run.log" || { cat "$LOGS/trigger-$n_run.log" >&2; fail "could not trigger $dag"; }
    while [ $((SECONDS - t0)) -lt 900 ]; do
        state=$("$VENV_AIRFLOW/bin/python" - "$AIRFLOW_HOME/airflow.db" "$dag" "$run_id" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
row = db.execute("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", (sys.argv[2], sys.argv[3])).fetchone()
print(row[0] if row else "none")
PY
)
        case $state in success | failed) break ;; esac
        sleep 3
    done
    [ "$state" = "$1" ] || { tail -n 40 "$LOGS/scheduler.log" "$LOGS/worker1.log" >&2; fail "run $run_id of $dag is $state, expected $1"; }
    say "run $run_id of $dag: $state in $((SECONDS - t0)) s"
}
task_states() { # RUN_NUMBER [DAG_ID] → "task state host" lines
    "$VENV_AIRFLOW/bin/python" - "$AIRFLOW_HOME/airflow.db" "integ_$1" "${2:-integ_workers}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for task, state, host in db.execute("SELECT task_id, state, hostname FROM task_instance WHERE dag_id = ? AND run_id = ? ORDER BY task_id, map_index", (sys.argv[3], sys.argv[2])):
    print(task, state, host)
PY
}
s3ls() {
    AWS_ACCESS_KEY_ID=$DCTC_TEST_MOTO_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$DCTC_TEST_MOTO_SECRET_ACCESS_KEY \
        AWS_ENDPOINT_URL=$DCTC_TEST_MOTO_ENDPOINT AWS_REGION=us-east-1 "$DCTC_BIN" ls -l -R "s3://$bucket/"
}

# 1. Every unit once, across both workers.
celery_run success
sort "$BUILD_LOG" | uniq -d >"$CEL/twice"
[ ! -s "$CEL/twice" ] || fail "units built twice across the workers: $(tr '\n' ' ' <"$CEL/twice")"
[ "$(wc -l <"$BUILD_LOG")" -eq 22 ] || fail "expected 22 units built (14 days, 8 weeks), got $(wc -l <"$BUILD_LOG")"
w1=$(grep -c 'final_state=success' "$LOGS/worker1.log" || true)
w2=$(grep -c 'final_state=success' "$LOGS/worker2.log" || true)
pass "CeleryExecutor, two workers: 22 units built once each (tasks run: worker1 $w1, worker2 $w2)"

# 2. Nothing again, nothing rewritten.
s3ls >"$CEL/ls-1"
celery_run success
[ "$(wc -l <"$BUILD_LOG")" -eq 22 ] || fail "the second run built $(($(wc -l <"$BUILD_LOG") - 22)) units, expected none"
s3ls >"$CEL/ls-2"
cmp -s "$CEL/ls-1" "$CEL/ls-2" || fail "the second run rewrote S3 objects: $(diff "$CEL/ls-1" "$CEL/ls-2" | head -5)"
pass "CeleryExecutor, second run: nothing built, no object rewritten"

# 3. One run with a changed raw day and a broken one: exactly the dependents of the change are
#    rebuilt; the broken day's task fails and the weeks reading it end upstream_failed.
printf 'c 05\n' >>"$CEL/project/raw/2013-06-05.log"
printf 'BROKEN\n' >>"$CEL/project/raw/2013-06-12.log"
celery_run failed
tail -n +23 "$BUILD_LOG" | sort >"$CEL/rebuilt"
printf '%s\n' clean@2013-06-05 clean@2013-06-12 roll@2013-06-07 roll@2013-06-08 roll@2013-06-09 roll@2013-06-10 roll@2013-06-11 \
    >"$CEL/expected"
cmp -s "$CEL/rebuilt" "$CEL/expected" || fail "after raw 2013-06-05 changed and 2013-06-12 broke, built: $(tr '\n' ' ' <"$CEL/rebuilt")"
task_states 3 >"$CEL/states-3"
grep -q '^clean__2013-06-12 failed' "$CEL/states-3" || fail "clean__2013-06-12 is not failed: $(grep clean__2013-06-12 "$CEL/states-3")"
for d in 12 13 14; do
    grep -q "^roll__2013-06-$d upstream_failed" "$CEL/states-3" || fail "roll__2013-06-$d is not upstream_failed: $(grep "roll__2013-06-$d" "$CEL/states-3")"
done
for d in 07 08 09 10 11; do
    grep -q "^roll__2013-06-$d success" "$CEL/states-3" || fail "roll__2013-06-$d is not success"
done
pass "CeleryExecutor, raw 2013-06-05 changed and 2013-06-12 broken: exactly clean@05 and the 5 weeks reading it rebuilt; clean@12 failed, its 3 weeks upstream_failed"

# 4. The fan-out: 20,000 objects synced by 4 shard tasks on the two workers, then a check.
#    One listing of the source as the yardstick (what the plan task will list too):
fan_lines=0
[ ! -f "$FAN/proxy/requests.tlog" ] || fan_lines=$(wc -l <"$FAN/proxy/requests.tlog")
run_logged fan-plan fan shard-plan "$DCTC_FANOUT_SOURCE" --shards 4 --json
celery_run success integ_fanout
task_states "$n_run" integ_fanout >"$CEL/states-fan"
[ "$(grep -c '^sync.shard success' "$CEL/states-fan")" -eq 4 ] || fail "expected 4 shard tasks to succeed: $(tr '\n' ';' <"$CEL/states-fan")"
grep -q '^sync.plan success' "$CEL/states-fan" && grep -q '^sync.check success' "$CEL/states-fan" \
    || fail "plan and check did not both succeed: $(tr '\n' ';' <"$CEL/states-fan")"
# The copy equals the source, object for object (read from the server's own folders, not by dctc).
diff -r "$DCTC_TEST_RCLONE_S3_ROOT/$fan_src" "$DCTC_TEST_RCLONE_S3_ROOT/$fan_dst" >"$CEL/fan-diff" \
    || fail "the fanned-out copy differs from its source: $(head -5 "$CEL/fan-diff")"
[ "$(find "$DCTC_TEST_RCLONE_S3_ROOT/$fan_dst" -type f | wc -l)" -eq "$fan_files" ] || fail "the copy does not hold $fan_files files"
# What the shards listed, against one listing of the source: the proxy's requests in the time
# between the first shard's start and the last one's end.
ratio=$("$VENV_AIRFLOW/bin/python" - "$AIRFLOW_HOME/airflow.db" "integ_$n_run" "$FAN/proxy/requests.tlog" "$fan_lines" "$fan_src" "$fan_dst" <<'PY'
import sqlite3, sys
from datetime import datetime, timezone
db_path, run_id, tlog, skip, src, dst = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
rows = db.execute("SELECT start_date, end_date, hostname FROM task_instance WHERE dag_id = 'integ_fanout' AND run_id = ? AND task_id = 'sync.shard'", (run_id,)).fetchall()
def ts(text):
    t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
start, end = min(ts(r[0]) for r in rows), max(ts(r[1]) for r in rows)
hosts = sorted({r[2] for r in rows})
lines = open(tlog).read().splitlines()
def listing_bytes(part, bucket):
    total = requests = 0
    for line in part:
        fields = line.split(" ")
        if fields[1] == "GET" and fields[2].startswith(f"/{bucket}?") and "list-type=2" in fields[2]:
            total += int(fields[-1]); requests += 1
    return total, requests
# Before the shards: the yardstick `shard-plan` and the plan task, each one listing of the source.
one, one_requests = listing_bytes([l for l in lines[skip:] if float(l.split(" ")[0]) < start], src)
one //= 2
one_requests //= 2
# The window is widened by a second for clock rounding, but never over the plan task before
# the shards or the check task after them: each of those lists the whole source.
def bound(task, column):
    row = db.execute(f"SELECT {column} FROM task_instance WHERE dag_id = 'integ_fanout' AND run_id = ? AND task_id = ?", (run_id, task)).fetchone()
    return ts(row[0]) if row and row[0] else None
plan_end, check_start = bound("sync.plan", "end_date"), bound("sync.check", "start_date")
low = max(start - 1, plan_end) if plan_end is not None else start - 1
high = min(end + 1, check_start) if check_start is not None else end + 1
shards = [l for l in lines if low <= float(l.split(" ")[0]) < high]
got, got_requests = listing_bytes(shards, src)
print(f"{got / one:.2f} {got_requests} {one_requests} {len(hosts)}")
PY
)
read -r fan_ratio fan_requests fan_one fan_hosts <<<"$ratio"
awk -v r="$fan_ratio" 'BEGIN { exit !(r <= 1.3) }' \
    || fail "the 4 shards listed ${fan_ratio}x one listing of the source ($fan_requests requests; one listing is $fan_one): expected about once"
pass "CeleryExecutor fan-out: $fan_files objects synced by 4 range shards on $fan_hosts worker(s), copy identical, check clean; the shards' source listings together ${fan_ratio}x one listing ($fan_requests requests against $fan_one)"

celery_stop
CEL_PIDS=()
trap cleanup EXIT
