"""Luigi targets and tasks over `dctc flow`: partitions of a pipeline's datasets."""

from __future__ import annotations

import logging
import threading
from typing import Any, Iterable

import luigi

from dctc_cli import cli

logger = logging.getLogger("luigi-interface.dctc")


class DctcError(RuntimeError):
    """dctc ended with an exit code that the caller could not accept."""

    def __init__(self, result: cli.DctcResult) -> None:
        super().__init__(result.describe_failure())
        self.result = result
        self.exit_code = result.exit_code

    @property
    def retryable(self) -> bool:
        """True for 5 (transient), 9 (external input missing) and 10 (lock held)."""
        return self.exit_code in cli.RETRYABLE


class DctcConfig(luigi.Config):
    """The `[dctc]` section of luigi.cfg: defaults for every dctc task and target.

        [dctc]
        binary = /usr/local/bin/dctc
        pipeline = /etl/weblogs/pipeline.dctc.yaml
        state = /var/lib/dctc/state.sqlite
    """

    @classmethod
    def get_task_family(cls) -> str:
        return "dctc"

    binary = luigi.Parameter(default="dctc", description="The dctc executable.")
    pipeline = luigi.OptionalParameter(default=None, description="The pipeline file (default: dctc's).")
    state = luigi.OptionalParameter(default=None, description="The state file (default: dctc's).")


def _settings(pipeline: str | None, state: str | None, dctc: str | None) -> tuple[str | None, str | None, str]:
    config = DctcConfig()
    return (pipeline or config.pipeline or None, state or config.state or None, dctc or config.binary or "dctc")


class DctcTarget(luigi.Target):
    """Partitions of a dataset, which exist when `dctc flow status TARGET --json` says every one
    is fresh (built by its step, with inputs and step unchanged since) or, for an external
    dataset, present.

    A stale partition does not exist for Luigi, so the task producing it runs again: that is how
    a changed input upstream propagates. Exit codes other than 0 and 1 raise DctcError.

    :param target: DATASET@PARTITION or DATASET@FIRST/LAST.
    :param pipeline: the pipeline file; default: `[dctc] pipeline`, else dctc's own default.
    :param state: the state file; default: `[dctc] state`, else dctc's own default.
    :param dctc: the dctc executable; default: `[dctc] binary`, else `dctc` on PATH.
    """

    def __init__(self, target: str, pipeline: str | None = None, state: str | None = None,
                 dctc: str | None = None, env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.target = target
        self.pipeline, self.state, self.dctc = _settings(pipeline, state, dctc)
        self.env = env
        self.cwd = cwd

    def status(self) -> dict[str, Any]:
        """The parsed `dctc flow status --json` result (partitions, counts, allFresh)."""
        result = cli.run_dctc(cli.status_args(self.target, self.pipeline, self.state), dctc=self.dctc,
                              env=self.env, cwd=self.cwd)
        if result.exit_code not in (cli.SUCCESS, cli.NEGATIVE):
            raise DctcError(result)
        if not result.result or "allFresh" not in result.result:
            raise DctcError(result)
        return result.result

    def exists(self) -> bool:
        return bool(self.status()["allFresh"])

    def __repr__(self) -> str:
        return f"DctcTarget({self.target!r})"


class _DctcTaskMixin:
    """Parameters shared by the dctc tasks."""

    target = luigi.Parameter(default="", description="DATASET@PARTITION (or subclass and override dctc_target()).")
    pipeline = luigi.OptionalParameter(default=None, description="The pipeline file (default: [dctc] pipeline, else dctc's).")
    state = luigi.OptionalParameter(default=None, description="The state file (default: [dctc] state, else dctc's).")
    dctc = luigi.OptionalParameter(default=None, significant=False,
                                   description="The dctc executable (default: [dctc] binary, else dctc).")

    def dctc_target(self) -> str:
        """The DATASET@PARTITION this task stands for: the `target` parameter unless overridden."""
        if not self.target:
            raise ValueError(f"{type(self).__name__}: give target=DATASET@PARTITION or override dctc_target()")
        return str(self.target)

    def dctc_env(self) -> dict[str, str] | None:
        """Variables added to dctc's environment (override to pass secrets' variables)."""
        return None

    def output(self) -> DctcTarget:
        return DctcTarget(self.dctc_target(), pipeline=self.pipeline, state=self.state, dctc=self.dctc, env=self.dctc_env())


class DctcExternal(_DctcTaskMixin, luigi.ExternalTask):
    """Partitions of an external dataset (`external: true`): Luigi waits for them to be present."""


class DctcBuildTask(_DctcTaskMixin, luigi.Task):
    """Builds DATASET@PARTITION with `dctc flow build TARGET --upstream none --json`.

    Luigi decides what runs: each upstream partition is its own task, given either with the
    `upstream` parameter (a list of DATASET@PARTITION; external datasets become DctcExternal
    tasks) or by overriding `requires()` in a subclass, as usual in Luigi. The task is complete
    when its DctcTarget is fresh. A non-zero exit raises DctcError with dctc's message, which
    fails the task (Luigi retries it when `[scheduler] retry_count` allows).
    """

    upstream = luigi.ListParameter(default=(), description="Upstream DATASET@PARTITION targets this one needs.")

    #: How far upstream dctc itself looks; Luigi runs the upstream tasks, so none.
    dctc_upstream = "none"

    def requires(self) -> list[luigi.Task]:
        return [self.upstream_task(t) for t in self.upstream]

    def upstream_task(self, target: str) -> luigi.Task:
        """The task for one upstream target, with this task's pipeline, state and dctc."""
        return dctc_task(target, pipeline=self.pipeline, state=self.state, dctc=self.dctc)

    def build_args(self) -> list[str]:
        pipeline, state, _ = _settings(self.pipeline, self.state, self.dctc)
        return cli.build_args(self.dctc_target(), pipeline, state, upstream=self.dctc_upstream)

    def run(self) -> None:
        _, _, binary = _settings(self.pipeline, self.state, self.dctc)
        process = cli.DctcProcess(self.build_args(), dctc=binary, env=self.dctc_env(),
                                  on_stderr=lambda line: logger.info("%s", line),
                                  on_stdout=lambda line: logger.info("%s", line))
        logger.info("Running: %s", " ".join(process.argv))
        result = process.run()
        self.result = result.result
        summary = cli.summarize(result.result)
        if summary:
            logger.info("%s", summary)
            if callable(getattr(self, "set_status_message", None)):  # set by Luigi's worker
                self.set_status_message(summary)
        if result.exit_code != cli.SUCCESS:
            raise DctcError(result)


_graph_cache: dict[tuple[str | None, str], dict[str, Any]] = {}
_graph_lock = threading.Lock()


def pipeline_graph(pipeline: str | None = None, dctc: str | None = None) -> dict[str, Any]:
    """`dctc flow graph --format json` of a pipeline (datasets, external or not, and steps); cached."""
    pipeline, _, binary = _settings(pipeline, None, dctc)
    key = (pipeline, binary)
    with _graph_lock:
        if key not in _graph_cache:
            args = ["flow", "graph", "--format", "json"] + (["--pipeline", pipeline] if pipeline else [])
            result = cli.run_dctc(args, dctc=binary)
            if result.exit_code != cli.SUCCESS or not result.result:
                raise DctcError(result)
            _graph_cache[key] = result.result
        return _graph_cache[key]


def is_external(dataset: str, pipeline: str | None = None, dctc: str | None = None) -> bool:
    """True when the pipeline declares the dataset external (observed, never built)."""
    for d in pipeline_graph(pipeline, dctc).get("datasets") or []:
        if d.get("name") == dataset:
            return bool(d.get("external"))
    raise ValueError(f"the pipeline has no dataset named {dataset!r}")


def dctc_task(target: str, pipeline: str | None = None, state: str | None = None, dctc: str | None = None) -> luigi.Task:
    """The Luigi task standing for DATASET@PARTITION: DctcExternal for an external dataset,
    else DctcBuildTask."""
    dataset = target.split("@", 1)[0]
    cls = DctcExternal if is_external(dataset, pipeline, dctc) else DctcBuildTask
    return cls(target=target, pipeline=pipeline, state=state, dctc=dctc)


def dctc_tasks(targets: Iterable[str], **kwargs: Any) -> list[luigi.Task]:
    """`dctc_task` for each target."""
    return [dctc_task(t, **kwargs) for t in targets]


__all__ = ["DctcBuildTask", "DctcConfig", "DctcError", "DctcExternal", "DctcTarget", "dctc_task", "dctc_tasks",
           "is_external", "pipeline_graph"]
