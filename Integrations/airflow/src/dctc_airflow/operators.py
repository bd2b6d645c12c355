"""DctcOperator: one dctc command as an Airflow task."""

from __future__ import annotations

import os
import socket
from typing import Any, Mapping, Sequence

from dctc_cli import cli
from dctc_airflow import settings
from dctc_airflow._compat import AirflowException, AirflowFailException, AirflowSkipException, BaseOperator

#: Codes that fail the task at once, without Airflow's retries: retrying cannot help.
NO_RETRY = frozenset({cli.USAGE, cli.CHECK_FAILED})


def raise_for_exit(result: cli.DctcResult, nothing_to_do_exit_code: int | None = cli.NOTHING_TO_DO) -> None:
    """Turns a dctc exit code into Airflow's outcome; returns for success.

    - 0: returns.
    - `nothing_to_do_exit_code` (7 unless changed; None disables it): AirflowSkipException.
    - 2 (usage, invalid pipeline) and 8 (a check failed, the previous output was kept):
      AirflowFailException, which skips the task's remaining retries.
    - anything else, among them 5 (transient), 9 (external input missing), 10 (lock held):
      AirflowException, which Airflow retries as the task's `retries` say.
    """
    code = result.exit_code
    if code == cli.SUCCESS:
        return
    if nothing_to_do_exit_code is not None and code == nothing_to_do_exit_code:
        raise AirflowSkipException(cli.summarize(result.result) or f"dctc had nothing to do (exit {code})")
    message = result.describe_failure()
    if code in NO_RETRY:
        raise AirflowFailException(message)
    if code in cli.RETRYABLE:
        message += "\n(dctc says trying again later may work: the task's retries apply)"
    raise AirflowException(message)


class DctcOperator(BaseOperator):
    """Runs one dctc command, e.g. `["flow", "build", "rollup@{{ ds }}", "--upstream", "none", "--json"]`.

    dctc's standard error (progress and errors) goes to the task log line by line. On success
    the last line of standard output, when it is a JSON object (commands given `--json`), is
    returned and so pushed to XCom as `return_value`. Exit codes map to Airflow outcomes as
    `raise_for_exit` says: 0 success; `nothing_to_do_exit_code` (7) skipped; 2 and 8 failed with
    no retry; any other code (5 transient, 9 input missing, 10 lock held, ...) an error that
    Airflow retries per the task's `retries`.

    :param args: dctc's arguments, without the executable (templated).
    :param dctc: the dctc executable on the worker (a name on PATH or a path); default: the
        Airflow Variable `dctc_executable`, else `dctc` on the worker's PATH.
    :param pipeline: the pipeline file on the worker (templated), given to dctc as
        $DCTC_PIPELINE; default: the Variable `dctc_pipeline`, else dctc's default.
    :param state: the state file on the worker (templated), given as $DCTC_STATE; default: the
        Variable `dctc_state`, else dctc's default (a per-worker cache: sidecars beside the
        outputs are the durable trace, and locks live beside the outputs too).
    :param connections: Airflow Connection ids whose credentials dctc gets through its
        environment, never its argv: an `aws` connection as AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL; others as
        DCTC_CONN_<ID>_HOST/_PORT/_LOGIN/_PASSWORD (see `dctc_airflow.settings`).
    :param env: variables added to the worker's environment for dctc (templated), e.g. the
        variables an account's `secret_access_key_env` names. They win over connections.
    :param cwd: the working directory (templated); relative addresses and the default
        `pipeline.dctc.yaml` are looked up there.
    :param nothing_to_do_exit_code: the exit code meaning "nothing to do", which skips the
        task; pair it with `--exit-code-if-nothing-done N` in args. None never skips.
    :param kill_grace_seconds: on kill, how long dctc has after SIGINT to clean up before SIGKILL.
    """

    template_fields: Sequence[str] = ("args", "env", "cwd", "pipeline", "state")
    template_fields_renderers = {"env": "json"}
    ui_color = "#e8f1fb"

    def __init__(
        self,
        *,
        args: Sequence[str],
        dctc: str | None = None,
        pipeline: str | None = None,
        state: str | None = None,
        connections: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        nothing_to_do_exit_code: int | None = cli.NOTHING_TO_DO,
        kill_grace_seconds: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(args, str):
            raise TypeError("DctcOperator args must be a list of arguments, not one string")
        self.args = list(args)
        self.dctc = dctc
        self.pipeline = pipeline
        self.state = state
        if isinstance(connections, str):
            raise TypeError("DctcOperator connections must be a list of connection ids, not one string")
        self.connections = list(connections or [])
        self.env = dict(env) if env else None
        self.cwd = cwd
        self.nothing_to_do_exit_code = nothing_to_do_exit_code
        self.kill_grace_seconds = kill_grace_seconds
        self._process: cli.DctcProcess | None = None

    def environment(self) -> dict[str, str]:
        """dctc's added environment: connections, then pipeline and state, then `env`."""
        env: dict[str, str] = {}
        if self.connections:
            env.update(settings.connections_environment(self.connections))
        worker = os.environ.get("DCTC_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"
        env["DCTC_WORKER_NAME"] = worker
        pipeline = settings.resolve(self.pipeline, settings.VARIABLE_PIPELINE)
        if pipeline:
            env["DCTC_PIPELINE"] = pipeline
        state = settings.resolve(self.state, settings.VARIABLE_STATE)
        if state:
            env["DCTC_STATE"] = state
        env.update(self.env or {})
        return env

    def execute(self, context: Any) -> dict[str, Any] | None:
        dctc = settings.resolve(self.dctc, settings.VARIABLE_EXECUTABLE, "dctc") or "dctc"
        process = cli.DctcProcess(
            self.args, dctc=dctc, env=self.environment(), cwd=self.cwd,
            on_stderr=lambda line: self.log.info("%s", line),
            on_stdout=lambda line: self.log.info("%s", line),
        )
        self._process = process
        self.log.info("Running: %s", " ".join(process.argv))
        try:
            result = process.run()
        except cli.DctcNotFound as e:
            raise AirflowFailException(str(e)) from e
        finally:
            self._process = None
        summary = cli.summarize(result.result)
        if summary:
            self.log.info("%s", summary)
        self.log.info("dctc exited with %d (%s)", result.exit_code, cli.exit_name(result.exit_code))
        raise_for_exit(result, self.nothing_to_do_exit_code)
        return result.result

    def on_kill(self) -> None:
        process = self._process
        if process is not None:
            self.log.info("Interrupting dctc (SIGINT; SIGKILL after %.0f s)", self.kill_grace_seconds)
            process.interrupt(self.kill_grace_seconds)
