"""DctcOperator and DctcSensor against a stand-in dctc (fake-dctc.sh): exit codes → Airflow outcomes.

Run in the Airflow virtualenv: python -m unittest -v test_airflow_units (Integrations/test.sh does).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
import unittest
from unittest import mock

from dctc_airflow import DctcOperator, DctcSensor
from dctc_airflow._compat import AirflowException, AirflowFailException, AirflowSkipException

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-dctc.sh")
REPORT = {"command": "build", "built": 2, "fresh": 1, "failed": 0, "nothingToDo": False, "units": []}


def operator(exit_code: int, payload: dict | None = None, **kwargs) -> DctcOperator:
    env = {"FAKE_DCTC_EXIT": str(exit_code)}
    if payload is not None:
        env["FAKE_DCTC_JSON"] = json.dumps(payload)
    env.update(kwargs.pop("env", {}))
    return DctcOperator(task_id=f"t{exit_code}", args=kwargs.pop("args", ["flow", "build", "x@1", "--json"]),
                        dctc=FAKE, env=env, **kwargs)


def sensor(exit_code: int, payload: dict | None = None, **kwargs) -> DctcSensor:
    env = {"FAKE_DCTC_EXIT": str(exit_code)}
    if payload is not None:
        env["FAKE_DCTC_JSON"] = json.dumps(payload)
    env.update(kwargs.pop("env", {}))
    return DctcSensor(task_id=f"s{exit_code}", target="rollup@2013-06-01/2013-06-07", dctc=FAKE, env=env, **kwargs)


class RecordingLog:
    """Stands in for the task logger (structlog in Airflow 3): keeps the formatted lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def _record(self, message: str, *args) -> None:
        self.lines.append(message % args if args else message)

    info = warning = error = debug = exception = _record

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def recorded(cls):
    """Replaces the `log` property of an operator class while the block runs."""
    recorder = RecordingLog()
    with mock.patch.object(cls, "log", new=property(lambda self: recorder)):
        yield recorder


def done(value) -> bool:
    return bool(getattr(value, "is_done", value))


class OperatorExitCodes(unittest.TestCase):
    def test_success_returns_the_last_json_line_for_xcom(self):
        self.assertEqual(operator(0, REPORT).execute({}), REPORT)

    def test_success_without_json_returns_none(self):
        self.assertIsNone(operator(0).execute({}))

    def test_nothing_to_do_code_skips_the_task(self):
        with self.assertRaises(AirflowSkipException):
            operator(7, dict(REPORT, built=0, nothingToDo=True)).execute({})

    def test_nothing_to_do_code_is_configurable(self):
        with self.assertRaises(AirflowSkipException):
            operator(99, nothing_to_do_exit_code=99).execute({})
        with self.assertRaises(AirflowException) as caught:
            operator(7, nothing_to_do_exit_code=None).execute({})
        self.assertNotIsInstance(caught.exception, AirflowSkipException)

    def test_usage_and_check_failed_fail_without_retry(self):
        for code in (2, 8):
            with self.subTest(code=code), self.assertRaises(AirflowFailException):
                operator(code).execute({})

    def test_transient_and_other_failures_raise_a_retryable_error(self):
        for code in (1, 3, 4, 5, 6, 9, 10, 130):
            with self.subTest(code=code), self.assertRaises(AirflowException) as caught:
                operator(code).execute({})
            self.assertNotIsInstance(caught.exception, (AirflowFailException, AirflowSkipException))

    def test_failure_message_names_the_code_and_quotes_dctc_errors(self):
        failed_unit = {"step": "roll", "partition": "2013-06-07", "outcome": "failed", "error": "exit status 1: boom"}
        with self.assertRaises(AirflowException) as caught:
            operator(4, dict(REPORT, failed=1, units=[failed_unit])).execute({})
        message = str(caught.exception)
        self.assertIn("exited with 4 (a step failed)", message)
        self.assertIn("failed roll@2013-06-07: exit status 1: boom", message)
        self.assertIn("dctc: fake: exiting with 4 (a remedy)", message)

    def test_missing_executable_fails_without_retry(self):
        op = DctcOperator(task_id="nodctc", args=["ls"], dctc="/nonexistent/dctc")
        with self.assertRaises(AirflowFailException) as caught:
            op.execute({})
        self.assertIn("/nonexistent/dctc", str(caught.exception))

    def test_arguments_env_and_cwd_reach_dctc(self):
        with tempfile.TemporaryDirectory() as tmp:
            record = os.path.join(tmp, "args")
            operator(0, args=["flow", "build", "a b@2013-06-01", "--json"], env={"FAKE_DCTC_ARGS": "args"},
                     cwd=tmp).execute({})
            with open(record) as f:
                self.assertEqual(f.read(), "flow build a b@2013-06-01 --json\n")

    def test_args_env_and_cwd_are_templated(self):
        self.assertEqual(set(DctcOperator.template_fields), {"args", "env", "cwd", "pipeline", "state"})

    def test_args_must_be_a_list(self):
        with self.assertRaises(TypeError):
            DctcOperator(task_id="str", args="flow build x@1")

    def test_stderr_is_streamed_to_the_task_log(self):
        with recorded(DctcOperator) as log:
            operator(0, REPORT).execute({})
        text = log.text
        self.assertIn("flow: fake progress line", text)
        self.assertIn("dctc flow build: 2 built, 1 fresh", text)

    def test_on_kill_interrupts_dctc(self):
        with tempfile.TemporaryDirectory() as tmp:
            started = os.path.join(tmp, "started")
            op = operator(0, env={"FAKE_DCTC_SLEEP": "60", "FAKE_DCTC_STARTED": started})
            outcome: list[BaseException] = []

            def run() -> None:
                try:
                    op.execute({})
                except BaseException as e:  # noqa: BLE001 - handed to the test thread
                    outcome.append(e)

            worker = threading.Thread(target=run)
            began = time.monotonic()
            worker.start()
            while not os.path.exists(started) and time.monotonic() - began < 30:
                time.sleep(0.05)
            op.on_kill()
            worker.join(30)
            self.assertFalse(worker.is_alive())
            self.assertEqual(len(outcome), 1)
            self.assertIn("exited with 130 (interrupted)", str(outcome[0]))


class SensorPokes(unittest.TestCase):
    FRESH = {"command": "status", "allFresh": True, "counts": {"fresh": 7},
             "partitions": [{"dataset": "rollup", "partition": "2013-06-01", "status": "fresh", "reasons": []}]}
    STALE = {"command": "status", "allFresh": False, "counts": {"fresh": 6, "stale": 1},
             "partitions": [{"dataset": "rollup", "partition": "2013-06-07", "status": "stale",
                             "reasons": ["input raw_gz@2013-06-07 changed"]}]}

    def test_all_fresh_is_done_and_pushes_the_status(self):
        value = sensor(0, self.FRESH).poke({})
        self.assertTrue(done(value))
        if hasattr(value, "xcom_value"):
            self.assertEqual(value.xcom_value, self.FRESH)

    def test_not_fresh_is_not_done(self):
        with recorded(DctcSensor) as log:
            self.assertFalse(done(sensor(1, self.STALE).poke({})))
        self.assertIn("stale rollup@2013-06-07 (input raw_gz@2013-06-07 changed)", log.text)

    def test_transient_codes_poke_again(self):
        for code in (5, 9, 10):
            with self.subTest(code=code):
                self.assertFalse(done(sensor(code).poke({})))

    def test_invalid_pipeline_fails_without_retry(self):
        with self.assertRaises(AirflowFailException):
            sensor(2).poke({})

    def test_other_codes_and_missing_json_are_errors(self):
        with self.assertRaises(AirflowException):
            sensor(6).poke({})
        with self.assertRaises(AirflowException):
            sensor(0).poke({})

    def test_status_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            record = os.path.join(tmp, "args")
            s = DctcSensor(task_id="cmd", target=["a@1", "b@2"], pipeline="p.yaml", state="s.sqlite", dctc=FAKE,
                           env={"FAKE_DCTC_JSON": json.dumps(self.FRESH), "FAKE_DCTC_ARGS": record})
            s.poke({})
            with open(record) as f:
                self.assertEqual(f.read(), "flow status a@1 b@2 --json --pipeline p.yaml --state s.sqlite\n")


class WorkerSettings(unittest.TestCase):
    """Nothing of the exporting machine: executable, pipeline and state from Variables, credentials from Connections."""

    def run_recording(self, op: DctcOperator, tmp: str) -> dict[str, str]:
        record = os.path.join(tmp, "env")
        op.env = dict(op.env or {}, FAKE_DCTC_ENV=record)
        op.execute({})
        with open(record) as f:
            return dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)

    def test_executable_pipeline_and_state_come_from_airflow_variables(self):
        with tempfile.TemporaryDirectory() as tmp:
            variables = {"AIRFLOW_VAR_DCTC_EXECUTABLE": FAKE, "AIRFLOW_VAR_DCTC_PIPELINE": "/srv/etl/pipeline.dctc.yaml",
                         "AIRFLOW_VAR_DCTC_STATE": "/var/lib/dctc/state.sqlite"}
            with mock.patch.dict(os.environ, variables):
                op = DctcOperator(task_id="v", args=["flow", "build", "x@1", "--json"])
                env = self.run_recording(op, tmp)
            self.assertEqual(env["DCTC_PIPELINE"], "/srv/etl/pipeline.dctc.yaml")
            self.assertEqual(env["DCTC_STATE"], "/var/lib/dctc/state.sqlite")
            self.assertTrue(env["DCTC_WORKER_NAME"])

    def test_operator_settings_win_over_variables(self):
        with tempfile.TemporaryDirectory() as tmp:
            with mock.patch.dict(os.environ, {"AIRFLOW_VAR_DCTC_PIPELINE": "/from/variable.yaml"}):
                op = DctcOperator(task_id="o", args=["flow", "build", "x@1"], dctc=FAKE, pipeline="/from/operator.yaml")
                env = self.run_recording(op, tmp)
            self.assertEqual(env["DCTC_PIPELINE"], "/from/operator.yaml")

    def test_aws_connection_reaches_dctc_in_its_environment_never_argv(self):
        conn = json.dumps({"conn_type": "aws", "login": "AKIDCONN", "password": "s3cr3t-from-connection",
                           "extra": {"region_name": "eu-west-3", "endpoint_url": "http://127.0.0.1:17090"}})
        with tempfile.TemporaryDirectory() as tmp:
            args_file = os.path.join(tmp, "args")
            with mock.patch.dict(os.environ, {"AIRFLOW_CONN_AWS_DEFAULT": conn}):
                op = DctcOperator(task_id="c", args=["flow", "build", "x@1"], dctc=FAKE, connections=["aws_default"],
                                  env={"FAKE_DCTC_ARGS": args_file})
                env = self.run_recording(op, tmp)
            self.assertEqual(env["AWS_ACCESS_KEY_ID"], "AKIDCONN")
            self.assertEqual(env["AWS_SECRET_ACCESS_KEY"], "s3cr3t-from-connection")
            self.assertEqual(env["AWS_REGION"], "eu-west-3")
            self.assertEqual(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:17090")
            with open(args_file) as f:
                self.assertNotIn("s3cr3t", f.read())

    def test_other_connections_become_dctc_conn_variables(self):
        conn = json.dumps({"conn_type": "sftp", "host": "box.example", "port": 2222, "login": "etl", "password": "pw"})
        with tempfile.TemporaryDirectory() as tmp:
            with mock.patch.dict(os.environ, {"AIRFLOW_CONN_SFTP_DEFAULT": conn}):
                op = DctcOperator(task_id="s", args=["ls"], dctc=FAKE, connections=["sftp_default"])
                env = self.run_recording(op, tmp)
            self.assertEqual(env["DCTC_CONN_SFTP_DEFAULT_HOST"], "box.example")
            self.assertEqual(env["DCTC_CONN_SFTP_DEFAULT_PORT"], "2222")
            self.assertEqual(env["DCTC_CONN_SFTP_DEFAULT_PASSWORD"], "pw")

    def test_connections_must_be_a_list(self):
        with self.assertRaises(TypeError):
            DctcOperator(task_id="str", args=["ls"], connections="aws_default")


class FanOut(unittest.TestCase):
    def test_shard_arguments(self):
        from dctc_airflow.fanout import shard_arguments
        self.assertEqual(shard_arguments("s3://a/x/", "s3://b/x/", 2, ["--checksum"]), [
            ["sync", "s3://a/x/", "s3://b/x/", "--shard", "1/2", "--checksum", "--json"],
            ["sync", "s3://a/x/", "s3://b/x/", "--shard", "2/2", "--checksum", "--json"],
        ])
        with self.assertRaises(ValueError):
            shard_arguments("a", "b", 0)

    def test_range_arguments_from_a_plan(self):
        from dctc_airflow.fanout import range_arguments
        plan = {"files": 3, "source": "s3://a/x", "shards": [
            {"shard": "1/2", "start_after": None, "end_at": "k", "files": 2, "options": ["--end-at", "k"]},
            {"shard": "2/2", "start_after": "k", "end_at": None, "files": 1, "options": ["--start-after", "k"]},
        ]}
        self.assertEqual(range_arguments("s3://a/x/", "s3://b/x/", plan, ["--checksum"]), [
            ["sync", "s3://a/x/", "s3://b/x/", "--end-at", "k", "--checksum", "--json"],
            ["sync", "s3://a/x/", "s3://b/x/", "--start-after", "k", "--checksum", "--json"],
        ])
        for bad in [{}, {"shards": []}, {"shards": [{"shard": "1/1"}]}, {"shards": [{"options": "--end-at k"}]}, None]:
            with self.assertRaises(ValueError):
                range_arguments("a", "b", bad)
        with self.assertRaises(TypeError):
            range_arguments("a", "b", plan, "--checksum")

    def _dag(self, **kwargs):
        import pendulum
        from airflow.sdk import DAG

        from dctc_airflow import sync_shards
        with DAG(dag_id="fanout_unit", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as dag:
            sync_shards("s3://a/x/", "s3://b/x/", shards=4, connections=["aws_default"], retries=1, **kwargs)
        return dag

    def test_sync_shards_plans_ranges_then_maps_one_task_per_range_then_a_check(self):
        dag = self._dag(sync_args=["--checksum"])
        plan, shard, check = dag.get_task("sync.plan"), dag.get_task("sync.shard"), dag.get_task("sync.check")
        self.assertEqual(plan.args, ["shard-plan", "s3://a/x/", "--shards", "4", "--json"])
        self.assertEqual(plan.sync_args, ["--checksum"])
        self.assertIn("sync.plan", shard.upstream_task_ids)
        self.assertIn("sync.shard", check.upstream_task_ids)
        self.assertEqual(plan.retries, 1)
        self.assertEqual(check.args, ["check", "s3://a/x/", "s3://b/x/"])

    def test_sync_shards_with_hash_shards_maps_fixed_arguments(self):
        dag = self._dag(ranges=False)
        shard = dag.get_task("sync.shard")
        expanded = shard.expand_input.value["args"]
        self.assertEqual(len(expanded), 4)
        self.assertEqual(expanded[3][3:5], ["--shard", "4/4"])
        self.assertNotIn("sync.plan", dag.task_ids)

    def test_sync_shards_refuses_bad_counts_before_building_tasks(self):
        for bad in [0, -1, 10_001, True, "4"]:
            with self.assertRaises(ValueError):
                self._dag_with(bad)

    def _dag_with(self, shards):
        import pendulum
        from airflow.sdk import DAG

        from dctc_airflow import sync_shards
        with DAG(dag_id="fanout_bad", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")):
            sync_shards("a", "b", shards=shards)


if __name__ == "__main__":
    unittest.main()
