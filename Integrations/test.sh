#!/usr/bin/env bash
# Integration tests of dctc flow with Apache Airflow and Luigi, run for real (make test runs
# this after swift test, with the loopback test servers up).
#
#   DCTC_BIN=/path/to/dctc bash Integrations/test.sh          # set up the virtualenvs, then test
#   bash Integrations/test.sh setup                           # only create/refresh the virtualenvs
#
# Virtualenvs: .venv-airflow and .venv-luigi at the top of the sources (gitignored), created when
# missing and reused after (a stamp file records what was installed). Python: $DCTC_INTEG_PYTHON,
# else python3 (3.10 or later). Needs the moto S3 server on 127.0.0.1:17090
# (Scripts/test-servers/moto.sh). Set DCTC_INTEG_KEEP=1 to keep the scratch folder.
# Any failure exits non-zero with the reason and the end of the failing command's log.
set -euo pipefail

# From PyPI, with every dependency pinned by Integrations/{airflow,luigi}/constraints.txt
# (made and tested with Python 3.11; Airflow 3.3 needs 3.10 or later).
AIRFLOW_VERSION=3.3.2
CELERY_PROVIDER_VERSION=3.26.0  # the CeleryExecutor test (tests/celery.sh); Redis is Debian's redis-server
LUIGI_VERSION=3.8.1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
TESTS=$HERE/tests
PYTHON=${DCTC_INTEG_PYTHON:-python3}
VENV_AIRFLOW=$ROOT/.venv-airflow
VENV_LUIGI=$ROOT/.venv-luigi
START=$SECONDS

say() { printf 'integrations: %s\n' "$*" >&2; }
fail() {
    printf 'integrations: FAIL: %s\n' "$*" >&2
    exit 1
}

# A stamp naming what a virtualenv holds: the pin, Python's version, the local package's
# pyproject.toml and constraints.txt.
stamp_of() { # NAME PIN PACKAGE_DIR
    printf '%s %s %s %s\n' "$1" "$2" "$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')" \
        "$(cat "$3/pyproject.toml" "$3/constraints.txt" "$HERE/common/pyproject.toml" | cksum | cut -d' ' -f1)"
}

ensure_venv() { # DIR NAME PIN LOCAL_PACKAGE_DIR [MORE_PINS]
    local dir=$1 name=$2 pin=$3 pkg=$4 more=${5:-} stamp
    stamp=$(stamp_of "$name" "$pin $more" "$pkg")
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.dctc-stamp" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    local t0=$SECONDS
    say "installing $pin and $(basename "$pkg") into $dir (once; reused afterwards)"
    [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir" || fail "$PYTHON -m venv $dir failed"
    # constraints.txt: every version of a set that worked (Airflow's own constraint files are not
    # reachable here), so a new release of a dependency cannot break the tests.
    # shellcheck disable=SC2086 # MORE_PINS is a list of words
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -c "$pkg/constraints.txt" "$pin" $more \
        "setuptools>=64" wheel || fail "pip install $pin $more into $dir failed"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e "$HERE/common" -e "$pkg" \
        || fail "pip install -e $pkg into $dir failed"
    "$dir/bin/python" -m pip check >/dev/null || say "warning: pip check reports conflicts in $dir"
    echo "$stamp" >"$dir/.dctc-stamp"
    say "$dir ready in $((SECONDS - t0)) s"
}

setup() {
    command -v "$PYTHON" >/dev/null || fail "$PYTHON not found (set DCTC_INTEG_PYTHON)"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || fail "$PYTHON is $("$PYTHON" --version 2>&1); Airflow $AIRFLOW_VERSION needs Python 3.10 or later"
    ensure_venv "$VENV_AIRFLOW" airflow "apache-airflow==$AIRFLOW_VERSION" "$HERE/airflow" \
        "apache-airflow-providers-celery==$CELERY_PROVIDER_VERSION"
    ensure_venv "$VENV_LUIGI" luigi "luigi==$LUIGI_VERSION" "$HERE/luigi"
}

if [ "${1:-}" = setup ]; then
    setup
    exit 0
fi
[ $# -eq 0 ] || fail "usage: $0 [setup]"

# ---------------------------------------------------------------------------------------------
: "${DCTC_BIN:?set DCTC_BIN to the dctc executable to test (make test does)}"
DCTC_BIN=$(cd "$(dirname "$DCTC_BIN")" && pwd)/$(basename "$DCTC_BIN")
[ -x "$DCTC_BIN" ] || fail "DCTC_BIN=$DCTC_BIN is not an executable"
setup

(exec 3<>/dev/tcp/127.0.0.1/17090) 2>/dev/null \
    || fail "no S3 test server on 127.0.0.1:17090: start the test servers (make test-servers)"
eval "$(bash "$ROOT/Scripts/test-servers/moto.sh" env)"
export DCTC_TEST_MOTO_ACCESS_KEY_ID DCTC_TEST_MOTO_SECRET_ACCESS_KEY DCTC_TEST_MOTO_ENDPOINT


WORK=$(mktemp -d "${TMPDIR:-/tmp}/dctc-integ.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS"
cleanup() {
    local status=$?
    if [ $status -ne 0 ] || [ -n "${DCTC_INTEG_KEEP:-}" ]; then
        say "scratch folder kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# Runs a command with its output in $LOGS/NAME.log; on failure shows the end of the log and fails.
run_logged() { # NAME COMMAND...
    local name=$1 status=0
    shift
    "$@" >"$LOGS/$name.log" 2>&1 || status=$?
    if [ $status -ne 0 ]; then
        tail -n 60 "$LOGS/$name.log" >&2
        fail "$name: '$*' exited with $status (log: $LOGS/$name.log)"
    fi
}

# A scratch copy of the fixture pipeline with a bucket of its own and eight days of raw logs.
make_project() { # DIR
    local dir=$1 bucket
    bucket="dctc-integ-$(basename "$dir")-$$-$RANDOM"
    mkdir -p "$dir/raw"
    sed "s/dctc-integ-bucket/$bucket/" "$TESTS/pipeline.dctc.yaml" >"$dir/pipeline.dctc.yaml"
    for day in 01 02 03 04 05 06 07 08; do
        printf '2013-06-%s 10:00:00 GET /a\n2013-06-%s 11:00:00 GET /b\n' "$day" "$day" >"$dir/raw/2013-06-$day.log"
    done
    echo "$bucket"
}

# dctc flow status TARGET must say every partition is fresh.
expect_fresh() { # PROJECT TARGET
    local out status=0
    out=$("$DCTC_BIN" flow status "$2" --json --pipeline "$1/pipeline.dctc.yaml" --state "$1/state/state.sqlite") || status=$?
    [ $status -eq 0 ] || fail "dctc flow status $2 exited with $status: $out"
    tail -n 1 <<<"$out" | "$PYTHON" -c 'import json, sys; r = json.load(sys.stdin); sys.exit(0 if r["allFresh"] and r["partitions"] else 1)' \
        || fail "dctc flow status $2 does not say all fresh: $out"
}

# A rebuild must find nothing to do (exit 7 with --exit-code-if-nothing-done 7).
expect_nothing_to_do() { # PROJECT TARGET
    local status=0
    "$DCTC_BIN" flow build "$2" --exit-code-if-nothing-done 7 --pipeline "$1/pipeline.dctc.yaml" \
        --state "$1/state/state.sqlite" >"$LOGS/nothing.log" 2>&1 || status=$?
    [ $status -eq 7 ] || { cat "$LOGS/nothing.log" >&2; fail "dctc flow build $2 was expected to have nothing to do (exit 7), got $status"; }
}

# The file must have N lines.
expect_lines() { # FILE N
    [ -f "$1" ] || fail "$1 was not written"
    local n
    n=$(wc -l <"$1")
    [ "$n" -eq "$2" ] || fail "$1 has $n lines, expected $2"
}

# The S3 object, read back through dctc (decompressed), must equal the raw file.
expect_s3_copy() { # BUCKET KEY RAWFILE
    local got
    got=$(AWS_ACCESS_KEY_ID=$DCTC_TEST_MOTO_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$DCTC_TEST_MOTO_SECRET_ACCESS_KEY \
        AWS_ENDPOINT_URL=$DCTC_TEST_MOTO_ENDPOINT AWS_REGION=us-east-1 "$DCTC_BIN" cat "s3://$1/$2") \
        || fail "dctc cat s3://$1/$2 failed"
    [ "$got" = "$(cat "$3")" ] || fail "s3://$1/$2 does not hold the gzipped $3"
}

passed=0
pass() {
    passed=$((passed + 1))
    say "ok: $*"
}

# ---------------------------------------------------------------------------------------------
say "unit tests of the operators, sensor, target and task (stand-in dctc)"
(cd "$TESTS" && run_logged units-airflow "$VENV_AIRFLOW/bin/python" -m unittest -v test_airflow_units)
pass "dctc_airflow unit tests ($(grep -Eo 'Ran [0-9]+ tests' "$LOGS/units-airflow.log"))"
(cd "$TESTS" && run_logged units-luigi "$VENV_LUIGI/bin/python" -m unittest -v test_luigi_units)
pass "dctc_luigi unit tests ($(grep -Eo 'Ran [0-9]+ tests' "$LOGS/units-luigi.log"))"

# ---------------------------------------------------------------------------------------------
say "Airflow $AIRFLOW_VERSION: exported DAGs run with 'airflow dags test'"
AF=$WORK/airflow-project
BUCKET=$(make_project "$AF")
export AIRFLOW_HOME=$WORK/airflow-home
export AIRFLOW__CORE__DAGS_FOLDER=$AIRFLOW_HOME/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export INTEG_PIPELINE=$AF/pipeline.dctc.yaml INTEG_STATE=$AF/state/state.sqlite DCTC_BIN
# Exported DAGs hold no path of the exporting machine: the workers' Airflow Variables say
# where dctc, the pipeline and the state are (AIRFLOW_VAR_* is one of Airflow's sources).
export AIRFLOW_VAR_DCTC_EXECUTABLE=$DCTC_BIN AIRFLOW_VAR_DCTC_PIPELINE=$INTEG_PIPELINE AIRFLOW_VAR_DCTC_STATE=$INTEG_STATE
mkdir -p "$AIRFLOW__CORE__DAGS_FOLDER"
airflow() { "$VENV_AIRFLOW/bin/airflow" "$@"; }
check_run() { "$VENV_AIRFLOW/bin/python" "$TESTS/check_airflow_run.py" "$AIRFLOW_HOME/airflow.db" "$@"; }
export_dag() { # DAG_ID [--target T]
    local id=$1
    shift
    run_logged "export-$id" "$DCTC_BIN" flow export airflow --pipeline "$INTEG_PIPELINE" \
        --dag-id "$id" --out "$AIRFLOW__CORE__DAGS_FOLDER/$id.py" "$@"
    if grep -q "$WORK" "$AIRFLOW__CORE__DAGS_FOLDER/$id.py"; then
        fail "the exported $id.py holds a path of the exporting machine ($WORK)"
    fi
    "$VENV_AIRFLOW/bin/python" -m py_compile "$AIRFLOW__CORE__DAGS_FOLDER/$id.py" 2>"$LOGS/compile-$id.log" \
        || { cat "$LOGS/compile-$id.log" >&2; fail "dctc flow export airflow${*:+ $*} wrote a DAG file that is not valid Python ($id.py)"; }
}
dag_test() { # LOGNAME DAG_ID [LOGICAL_DATE] ; then checks the run
    local name=$1
    shift
    run_logged "$name" airflow dags test "$@"
}

run_logged airflow-db-migrate airflow db migrate

export_dag integ_range --target rollup@2013-06-07
dag_test range-1 integ_range
run_logged check-range-1 check_run integ_range --expect built
expect_lines "$AF/rollup/2013-06-07.txt" 14
expect_s3_copy "$BUCKET" gz/2013/06/07.log.gz "$AF/raw/2013-06-07.log"
expect_fresh "$AF" rollup@2013-06-07
expect_fresh "$AF" raw_gz@2013-06-01/2013-06-07
pass "range DAG (--target rollup@2013-06-07): 8 tasks built their units; outputs on disk and S3; status fresh"

dag_test range-2 integ_range
run_logged check-range-2 check_run integ_range --expect nothing
pass "range DAG again: every task reports nothing built"

export_dag integ_daily
dag_test daily-0608 integ_daily 2013-06-08
run_logged check-daily-0608 check_run integ_daily --expect built
expect_lines "$AF/rollup/2013-06-08.txt" 14
expect_fresh "$AF" rollup@2013-06-08
pass "per-step DAG for 2013-06-08: compress and roll built that day"

dag_test daily-0607 integ_daily 2013-06-07
run_logged check-daily-0607 check_run integ_daily --expect nothing
pass "per-step DAG for 2013-06-07: nothing built (already fresh)"

cp "$TESTS/integ_sensor_dag.py" "$AIRFLOW__CORE__DAGS_FOLDER/"
printf '2013-06-08 12:00:00 GET /c\n' >>"$AF/raw/2013-06-08.log"
dag_test sensor-1 integ_sensor 2013-06-08
run_logged check-sensor-1 check_run integ_sensor --expect built
expect_lines "$AF/rollup/2013-06-08.txt" 15
pass "sensor DAG after a raw file changed: sensors done, build rebuilt rollup@2013-06-08"

dag_test sensor-2 integ_sensor 2013-06-08
run_logged check-sensor-2 check_run integ_sensor --expect nothing --state build=skipped
pass "sensor DAG again: build exits 7 and is skipped, the sensor after it still succeeds"

# ---------------------------------------------------------------------------------------------
say "Luigi $LUIGI_VERSION: DctcBuildTask subclasses with --local-scheduler"
LU=$WORK/luigi-project
make_project "$LU" >/dev/null
export LUIGI_CONFIG_PATH=$WORK/luigi.cfg
cat >"$LUIGI_CONFIG_PATH" <<CFG
[dctc]
binary = $DCTC_BIN
pipeline = $LU/pipeline.dctc.yaml
state = $LU/state/state.sqlite

[retcode]
already_running = 10
missing_data = 20
not_run = 25
task_failed = 30
scheduling_error = 35
unhandled_exception = 40
CFG
luigi() { (cd "$LU" && PYTHONPATH=$TESTS "$VENV_LUIGI/bin/luigi" "$@" --local-scheduler); }

run_logged luigi-1 luigi --module integ_luigi_tasks Rollup --date 2013-06-07
grep -q '8 ran successfully' "$LOGS/luigi-1.log" || { cat "$LOGS/luigi-1.log" >&2; fail "luigi: expected 8 tasks to run"; }
expect_lines "$LU/rollup/2013-06-07.txt" 14
expect_fresh "$LU" rollup@2013-06-07
pass "luigi Rollup 2013-06-07: 7 Compressed + 1 Rollup ran, outputs fresh"

run_logged luigi-2 luigi --module integ_luigi_tasks Rollup --date 2013-06-07
if grep -q 'ran successfully' "$LOGS/luigi-2.log" || ! grep -q 'complete ones were encountered' "$LOGS/luigi-2.log"; then
    cat "$LOGS/luigi-2.log" >&2
    fail "luigi: the second run was expected to find every task complete"
fi
expect_nothing_to_do "$LU" rollup@2013-06-07
pass "luigi again: every task already complete, nothing ran"

upstream='["raw_gz@2013-06-02","raw_gz@2013-06-03","raw_gz@2013-06-04","raw_gz@2013-06-05","raw_gz@2013-06-06","raw_gz@2013-06-07","raw_gz@2013-06-08"]'
run_logged luigi-3 luigi --module dctc_luigi DctcBuildTask --target rollup@2013-06-08 --upstream "$upstream"
grep -q '2 ran successfully' "$LOGS/luigi-3.log" || { cat "$LOGS/luigi-3.log" >&2; fail "luigi: expected raw_gz@2013-06-08 and rollup@2013-06-08 to be built"; }
expect_fresh "$LU" rollup@2013-06-08
pass "luigi generic DctcBuildTask with --upstream: built the missing day and the rollup"

# ---------------------------------------------------------------------------------------------
say "Airflow $AIRFLOW_VERSION with the CeleryExecutor: two workers, separate HOME and state"
# shellcheck source=tests/celery.sh
. "$TESTS/celery.sh"

say "$passed passed, 0 failed in $((SECONDS - START)) s"
echo "integrations: $passed passed, 0 failed"
