"""Huge syncs fanned out over N Airflow tasks: `dctc shard-plan`, then N ranged `dctc sync`, then one `dctc check`.

    from dctc_airflow import sync_shards

    with DAG("mirror", schedule="@daily", ...):
        sync_shards("s3://src-bucket/logs/", "s3://dst-bucket/logs/", shards=4,
                    connections=["aws_default"], sync_args=["--checksum"])

makes a task group `sync` holding:

- `sync.plan`: `dctc shard-plan SOURCE --shards N --json` lists the source once (names only)
  and splits its paths, in byte order, into N ranges of about as many files; the task returns
  the N argument lists of the shards (XCom);
- `sync.shard`: one mapped task per range (dynamic task mapping, spread by the executor over
  its workers): `dctc sync SOURCE DEST --start-after A --end-at B ... --json`. Where the store
  allows (S3), each lists only its own run of keys (StartAfter) at the source and at the
  destination, so N workers together list each key about once;
- `sync.check`: `dctc check SOURCE DEST` over the whole trees, which fails the run when
  anything differs.

Every shard exits 0 when its range is in sync. Files added to the source after the plan still
fall into exactly one range (the last range is open-ended). `shards=N` with `ranges=False`
keeps the older `--shard K/N` (a hash of each path: no plan, but every shard lists everything).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from dctc_airflow.operators import DctcOperator

MAX_SHARDS = 10_000


def _check_shards(shards: Any) -> None:
    if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1 or shards > MAX_SHARDS:
        raise ValueError(f"shards must be a whole number from 1 to {MAX_SHARDS}, not {shards!r}")


def _check_args(name: str, args: Any) -> None:
    if isinstance(args, str):
        raise TypeError(f"{name} must be a list of arguments, not one string")


def shard_arguments(source: str, destination: str, shards: int, sync_args: Sequence[str] = ()) -> list[list[str]]:
    """The argument lists of N hash shards: `sync SOURCE DEST --shard K/N ARGS… --json`."""
    _check_shards(shards)
    _check_args("sync_args", sync_args)
    return [["sync", source, destination, "--shard", f"{k}/{shards}", *sync_args, "--json"] for k in range(1, shards + 1)]


def range_arguments(source: str, destination: str, plan: Mapping[str, Any], sync_args: Sequence[str] = ()) -> list[list[str]]:
    """The argument lists of the shards of a `dctc shard-plan --json` result:
    `sync SOURCE DEST --start-after A --end-at B ARGS… --json`, one per range.

    :raises ValueError: when `plan` is not a plan (no `shards` list of objects with `options`).
    """
    _check_args("sync_args", sync_args)
    shards = plan.get("shards") if isinstance(plan, Mapping) else None
    if not isinstance(shards, list) or not shards:
        raise ValueError(f"not a dctc shard-plan result (no shards): {plan!r:.200}")
    out = []
    for shard in shards:
        options = shard.get("options") if isinstance(shard, Mapping) else None
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise ValueError(f"not a dctc shard-plan range (no options list): {shard!r:.200}")
        out.append(["sync", source, destination, *options, *sync_args, "--json"])
    return out


class DctcShardPlanOperator(DctcOperator):
    """Runs `dctc shard-plan SOURCE --shards N --json` and returns (to XCom) the argument lists of
    the N ranged syncs, ready for `DctcOperator.partial(...).expand(args=plan.output)`.

    :param source, destination: the sync's two addresses (templated).
    :param shards: N.
    :param sync_args: more `dctc sync` options for every shard.
    Other keywords as DctcOperator.
    """

    template_fields: Sequence[str] = (*DctcOperator.template_fields, "source", "destination")

    def __init__(self, *, source: str, destination: str, shards: int, sync_args: Sequence[str] = (), **kwargs: Any) -> None:
        _check_shards(shards)
        _check_args("sync_args", sync_args)
        super().__init__(args=["shard-plan", source, "--shards", str(shards), "--json"], **kwargs)
        self.source = source
        self.destination = destination
        self.shards = shards
        self.sync_args = list(sync_args)

    def execute(self, context: Any) -> list[list[str]]:
        # The source as rendered: args were rendered from the same template.
        self.args = ["shard-plan", self.source, "--shards", str(self.shards), "--json"]
        plan = super().execute(context)
        arguments = range_arguments(self.source, self.destination, plan or {}, self.sync_args)
        for shard, args in zip(plan["shards"], arguments):
            self.log.info("shard %s: about %s files: %s", shard.get("shard"), shard.get("files"), " ".join(args))
        return arguments


def sync_shards(
    source: str,
    destination: str,
    *,
    shards: int = 4,
    sync_args: Sequence[str] = (),
    check_args: Sequence[str] = (),
    ranges: bool = True,
    group_id: str = "sync",
    dctc: str | None = None,
    connections: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    **operator_kwargs: Any,
) -> Any:
    """Adds the fan-out to the DAG being defined; returns the task group (`>>` works on it).

    :param shards: N, the number of shard tasks.
    :param sync_args: more `dctc sync` options for every shard (e.g. `["--checksum"]`).
    :param check_args: more `dctc check` options (e.g. `["--checksum"]`).
    :param ranges: True (default): a plan task splits the source into key ranges, each shard
        lists only its own; False: hash shards (`--shard K/N`), no plan, each lists everything.
    :param dctc, connections, env: as DctcOperator.
    Other keywords go to every task (retries, pool, queue, ...).
    """
    _check_shards(shards)
    _check_args("sync_args", sync_args)
    _check_args("check_args", check_args)
    try:
        from airflow.sdk import TaskGroup  # Airflow 3
    except ImportError:  # Airflow 2.x
        from airflow.utils.task_group import TaskGroup  # type: ignore[no-redef]
    common = dict(dctc=dctc, connections=connections, env=env, **operator_kwargs)
    with TaskGroup(group_id=group_id) as group:
        if ranges:
            plan = DctcShardPlanOperator(task_id="plan", source=source, destination=destination,
                                         shards=shards, sync_args=sync_args, **common)
            shard = DctcOperator.partial(task_id="shard", **common).expand(args=plan.output)
        else:
            shard = DctcOperator.partial(task_id="shard", **common).expand(
                args=shard_arguments(source, destination, shards, sync_args))
        check = DctcOperator(task_id="check", args=["check", source, destination, *check_args], **common)
        shard >> check
    return group
