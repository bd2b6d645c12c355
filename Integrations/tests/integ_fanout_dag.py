"""The fan-out DAG of the CeleryExecutor test (tests/celery.sh): one sync of a 20,000-object S3
tree split over 4 shard tasks by `dctc_airflow.sync_shards`, then a check. celery.sh names the
two addresses and the dctc config file (an account on the rclone serve s3 test server, through
a proxy that logs every request) in the environment of the Airflow processes."""

import os

import pendulum
from airflow.sdk import DAG

from dctc_airflow import sync_shards

with DAG(
    dag_id="integ_fanout",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["dctc", "integration"],
):
    sync_shards(
        os.environ.get("DCTC_FANOUT_SOURCE", "fan:missing-source"),
        os.environ.get("DCTC_FANOUT_DESTINATION", "fan:missing-destination"),
        shards=4,
        sync_args=["--checksum", "--transfers", "8"],
        check_args=["--checksum"],
        env={"DCTC_CONFIG": os.environ.get("DCTC_FANOUT_CONFIG", "/nonexistent")},
        retries=0,
    )
