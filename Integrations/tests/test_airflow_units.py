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
        self.assertEqual(set(DctcOperator.template_fields), {"args", "env", "cwd"})

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


if __name__ == "__main__":
    unittest.main()
