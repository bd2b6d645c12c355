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

run_logged export-workers "$DCTC_BIN" flow export airflow --pipeline "$CEL/project/pipeline.dctc.yaml" \
    --target week@2013-06-07/2013-06-14 --dag-id integ_workers --retries 0 --out "$CEL/dags/integ_workers.py"

# Waits for the DAG to be parsed, triggers a run, waits for it to end; prints its state.
n_run=0
celery_run() { # EXPECTED_STATE
    n_run=$((n_run + 1))
    local run_id="integ_$n_run" state="" t0=$SECONDS
    for _ in $(seq 1 120); do
        af dags trigger integ_workers --run-id "$run_id" >"$LOGS/trigger-$n_run.log" 2>&1 && break
        sleep 2
    done
    grep -q "$run_id" "$LOGS/trigger-$n_run.log" || { cat "$LOGS/trigger-$n_run.log" >&2; fail "could not trigger integ_workers"; }
    while [ $((SECONDS - t0)) -lt 900 ]; do
        state=$("$VENV_AIRFLOW/bin/python" - "$AIRFLOW_HOME/airflow.db" "$run_id" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
row = db.execute("SELECT state FROM dag_run WHERE dag_id = 'integ_workers' AND run_id = ?", (sys.argv[2],)).fetchone()
print(row[0] if row else "none")
PY
)
        case $state in success | failed) break ;; esac
        sleep 3
    done
    [ "$state" = "$1" ] || { tail -n 40 "$LOGS/scheduler.log" "$LOGS/worker1.log" >&2; fail "run $run_id of integ_workers is $state, expected $1"; }
    say "run $run_id: $state in $((SECONDS - t0)) s"
}
task_states() { # RUN_NUMBER → "task state" lines
    "$VENV_AIRFLOW/bin/python" - "$AIRFLOW_HOME/airflow.db" "integ_$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for task, state, host in db.execute("SELECT task_id, state, hostname FROM task_instance WHERE dag_id = 'integ_workers' AND run_id = ? ORDER BY task_id", (sys.argv[2],)):
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

celery_stop
CEL_PIDS=()
trap cleanup EXIT
