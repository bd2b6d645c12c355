"""DctcSensor: waits until partitions of a dctc flow pipeline are fresh (or present)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from dctc_cli import cli
from dctc_airflow import settings
from dctc_airflow._compat import AirflowException, AirflowFailException, BaseSensorOperator, PokeReturnValue

#: How many not-yet-fresh partitions one poke lists in the log.
LOGGED_PARTITIONS = 10


class DctcSensor(BaseSensorOperator):
    """Pokes `dctc flow status TARGET --json` until every partition is fresh.

    A partition of a dataset built by a step is done when it is fresh (built, and its inputs and
    step unchanged since); a partition of an external dataset is done when it is present. The
    status JSON of the last poke is pushed to XCom (`return_value`) when the sensor succeeds.

    dctc exit codes: 0 and 1 are answers (all fresh, or not yet); 2 (invalid pipeline or
    target) fails the task without retry; 5, 9 and 10 (transient) mean "not yet" and the sensor
    pokes again; any other code fails the poke with an error (the task's retries apply).

    :param target: DATASET@PARTITION or DATASET@FIRST/LAST, or a list of them (templated).
    :param pipeline: the pipeline file (templated); default: the Airflow Variable
        `dctc_pipeline`, else dctc's ($DCTC_PIPELINE, else ./pipeline.dctc.yaml in `cwd`).
    :param state: the state file (templated); default: the Variable `dctc_state`, else dctc's.
    :param dctc: the dctc executable on the worker; default: the Variable `dctc_executable`, else `dctc`.
    :param connections: Airflow Connection ids whose credentials dctc gets in its environment
        (as DctcOperator).
    :param env: variables added to dctc's environment (templated).
    :param cwd: the working directory (templated).

    Other keywords are BaseSensorOperator's: `poke_interval`, `timeout`, `mode="reschedule"`,
    `soft_fail`, `exponential_backoff`.
    """

    template_fields: Sequence[str] = ("target", "pipeline", "state", "env", "cwd")
    ui_color = "#f3eefb"

    def __init__(
        self,
        *,
        target: str | Sequence[str],
        pipeline: str | None = None,
        state: str | None = None,
        dctc: str | None = None,
        connections: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.target = target if isinstance(target, str) else list(target)
        self.pipeline = pipeline
        self.state = state
        self.dctc = dctc
        self.connections = list(connections or [])
        self.env = dict(env) if env else None
        self.cwd = cwd

    def poke(self, context: Any) -> Any:
        pipeline = settings.resolve(self.pipeline, settings.VARIABLE_PIPELINE)
        state = settings.resolve(self.state, settings.VARIABLE_STATE)
        args = cli.status_args(self.target, pipeline, state)
        env = settings.connections_environment(self.connections) if self.connections else {}
        env.update(self.env or {})
        dctc = settings.resolve(self.dctc, settings.VARIABLE_EXECUTABLE, "dctc") or "dctc"
        process = cli.DctcProcess(args, dctc=dctc, env=env or None, cwd=self.cwd,
                                  on_stderr=lambda line: self.log.info("%s", line))
        try:
            result = process.run()
        except cli.DctcNotFound as e:
            raise AirflowFailException(str(e)) from e
        code = result.exit_code
        if code in (cli.SUCCESS, cli.NEGATIVE):
            status = result.result
            if status is None or "allFresh" not in status:
                raise AirflowException(f"{' '.join(result.argv)} printed no status JSON (exit {code})")
            done = bool(status["allFresh"])
            self.log.info("%s", cli.summarize(status))
            if not done:
                waiting = [p for p in status.get("partitions") or [] if p.get("status") not in ("fresh", "present")]
                for p in waiting[:LOGGED_PARTITIONS]:
                    reasons = "; ".join(p.get("reasons") or [])
                    self.log.info("  %s %s@%s%s", p.get("status"), p.get("dataset"), p.get("partition"),
                                  f" ({reasons})" if reasons else "")
                if len(waiting) > LOGGED_PARTITIONS:
                    self.log.info("  ... and %d more", len(waiting) - LOGGED_PARTITIONS)
            if PokeReturnValue is not None:
                return PokeReturnValue(is_done=done, xcom_value=status if done else None)
            return done
        if code == cli.USAGE:
            raise AirflowFailException(result.describe_failure())
        if code in cli.RETRYABLE:
            self.log.warning("%s; poking again later", result.describe_failure())
            return False
        raise AirflowException(result.describe_failure())
