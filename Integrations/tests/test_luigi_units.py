"""DctcTarget and DctcBuildTask against a stand-in dctc (fake-dctc.sh).

Run in the Luigi virtualenv: python -m unittest -v test_luigi_units (Integrations/test.sh does).
"""

from __future__ import annotations

import json
import os
import tempfile
import unittest
from unittest import mock

import luigi

from dctc_luigi import DctcBuildTask, DctcError, DctcExternal, DctcTarget, dctc_task

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-dctc.sh")
FRESH = {"command": "status", "allFresh": True, "counts": {"fresh": 1}, "partitions": []}
STALE = {"command": "status", "allFresh": False, "counts": {"stale": 1}, "partitions": []}
GRAPH = {"pipeline": "p", "steps": [], "datasets": [
    {"name": "raw", "external": True, "path": "raw/{date}.log", "partitions": ["date"]},
    {"name": "raw_gz", "external": False, "path": "gz/{date}.gz", "partitions": ["date"], "builtBy": "compress"},
]}


def fake_env(exit_code: int = 0, payload: dict | None = None, **extra: str) -> dict[str, str]:
    env = {"FAKE_DCTC_EXIT": str(exit_code)}
    if payload is not None:
        env["FAKE_DCTC_JSON"] = json.dumps(payload)
    env.update(extra)
    return env


class TargetExists(unittest.TestCase):
    def test_exists_when_all_fresh(self):
        self.assertTrue(DctcTarget("rollup@2013-06-07", dctc=FAKE, env=fake_env(0, FRESH)).exists())

    def test_does_not_exist_when_not_all_fresh(self):
        self.assertFalse(DctcTarget("rollup@2013-06-07", dctc=FAKE, env=fake_env(1, STALE)).exists())

    def test_other_exit_codes_raise_with_the_message(self):
        with self.assertRaises(DctcError) as caught:
            DctcTarget("rollup@x", dctc=FAKE, env=fake_env(2)).exists()
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("dctc: fake: exiting with 2 (a remedy)", str(caught.exception))

    def test_status_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            record = os.path.join(tmp, "args")
            DctcTarget("rollup@2013-06-07", pipeline="p.yaml", state="s.sqlite", dctc=FAKE,
                       env=fake_env(0, FRESH, FAKE_DCTC_ARGS=record)).exists()
            with open(record) as f:
                self.assertEqual(f.read(), "flow status rollup@2013-06-07 --json --pipeline p.yaml --state s.sqlite\n")


class FakeEnvTask(DctcBuildTask):
    """A build task whose dctc environment the test sets."""

    fake = luigi.DictParameter(default={}, significant=False)

    def dctc_env(self):
        return dict(self.fake)


class BuildTask(unittest.TestCase):
    def test_run_builds_the_target_with_upstream_none(self):
        with tempfile.TemporaryDirectory() as tmp:
            record = os.path.join(tmp, "args")
            task = FakeEnvTask(target="rollup@2013-06-07", pipeline="p.yaml", dctc=FAKE,
                               fake=fake_env(0, {"command": "build", "built": 1, "fresh": 0}, FAKE_DCTC_ARGS=record))
            task.run()
            with open(record) as f:
                self.assertEqual(f.read(), "flow build rollup@2013-06-07 --upstream none --json --pipeline p.yaml\n")
            self.assertEqual(task.result["built"], 1)

    def test_run_raises_on_failure_with_the_message(self):
        task = FakeEnvTask(target="rollup@2013-06-07", dctc=FAKE, fake=fake_env(9))
        with self.assertRaises(DctcError) as caught:
            task.run()
        self.assertTrue(caught.exception.retryable)
        self.assertIn("exited with 9 (an external input is missing)", str(caught.exception))

    def test_output_is_the_target(self):
        out = DctcBuildTask(target="rollup@2013-06-07", pipeline="p.yaml", dctc=FAKE).output()
        self.assertIsInstance(out, DctcTarget)
        self.assertEqual((out.target, out.pipeline), ("rollup@2013-06-07", "p.yaml"))

    def test_a_task_needs_a_target(self):
        with self.assertRaises(ValueError):
            DctcBuildTask().output()

    def test_upstream_list_makes_external_and_build_tasks(self):
        with mock.patch("dctc_luigi.tasks.pipeline_graph", return_value=GRAPH):
            task = DctcBuildTask(target="raw_gz@2013-06-07", pipeline="p.yaml",
                                 upstream=["raw@2013-06-07", "raw_gz@2013-06-06"])
            ups = task.requires()
            self.assertEqual([type(u) for u in ups], [DctcExternal, DctcBuildTask])
            self.assertEqual([u.target for u in ups], ["raw@2013-06-07", "raw_gz@2013-06-06"])
            self.assertEqual({u.pipeline for u in ups}, {"p.yaml"})
            with self.assertRaises(ValueError):
                dctc_task("nope@2013-06-07", pipeline="p.yaml")

    def test_config_section_gives_defaults(self):
        config = luigi.configuration.get_config()
        config.set("dctc", "binary", FAKE) if config.has_section("dctc") else (config.add_section("dctc"), config.set("dctc", "binary", FAKE))
        config.set("dctc", "pipeline", "from-config.yaml")
        try:
            out = DctcBuildTask(target="a@1").output()
            self.assertEqual((out.dctc, out.pipeline), (FAKE, "from-config.yaml"))
        finally:
            config.remove_section("dctc")


if __name__ == "__main__":
    unittest.main()
