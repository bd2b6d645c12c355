"""Huge syncs fanned out over N Airflow tasks: `dctc sync --shard K/N`, then one `dctc check`.

    from dctc_airflow import sync_shards

    with DAG("mirror", schedule="@daily", ...):
        sync_shards("s3://src-bucket/logs/", "s3://dst-bucket/logs/", shards=4,
                    connections=["aws_default"], sync_args=["--checksum"])

makes a task group `sync` holding one mapped task `sync.shard` (dynamic task mapping: one
task instance per shard, which the executor spreads over its workers) and a final task
`sync.check` comparing the whole trees. Shard K of N handles the keys whose place in the key
order falls in its range; where the store allows (S3), it lists only that range (StartAfter),
so N workers do not each list the whole bucket. Every shard's task exits 0 when its part is
in sync; the check fails the run when anything differs.
"""

from __future__ import annotations

from typing import Any, Sequence

from dctc_airflow.operators import DctcOperator


def shard_arguments(source: str, destination: str, shards: int, sync_args: Sequence[str] = ()) -> list[list[str]]:
    """The argument lists of the N shard tasks: `sync SOURCE DEST --shard K/N ARGS… --json`."""
    if not isinstance(shards, int) or shards < 1 or shards > 10_000:
        raise ValueError(f"shards must be a whole number from 1 to 10000, not {shards!r}")
    if isinstance(sync_args, str):
        raise TypeError("sync_args must be a list of arguments, not one string")
    return [["sync", source, destination, "--shard", f"{k}/{shards}", *sync_args, "--json"] for k in range(1, shards + 1)]


def sync_shards(
    source: str,
    destination: str,
    *,
    shards: int = 4,
    sync_args: Sequence[str] = (),
    check_args: Sequence[str] = (),
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
    :param dctc, connections, env: as DctcOperator.
    Other keywords go to every task (retries, pool, queue, ...).
    """
    try:
        from airflow.sdk import TaskGroup  # Airflow 3
    except ImportError:  # Airflow 2.x
        from airflow.utils.task_group import TaskGroup  # type: ignore[no-redef]
    with TaskGroup(group_id=group_id) as group:
        shard = DctcOperator.partial(
            task_id="shard", dctc=dctc, connections=connections, env=env, **operator_kwargs,
        ).expand(args=shard_arguments(source, destination, shards, sync_args))
        check = DctcOperator(
            task_id="check", args=["check", source, destination, *check_args],
            dctc=dctc, connections=connections, env=env, **operator_kwargs,
        )
        shard >> check
    return group
