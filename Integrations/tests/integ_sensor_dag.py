"""A hand-written DAG for the integration test: DctcSensor around a DctcOperator.

wait_raw (raw@ds present) >> build (rollup@ds, upstream modified, exit 7 when nothing was
done: the task is skipped) >> wait_fresh (rollup@ds-1/ds fresh; runs after a skip too).
Integrations/test.sh copies it into the dags folder and sets the INTEG_* variables.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from dctc_airflow import DctcOperator, DctcSensor

DCTC = os.environ["DCTC_BIN"]
PIPELINE = os.environ["INTEG_PIPELINE"]
STATE = os.environ["INTEG_STATE"]
MOTO = {k: os.environ[k] for k in ("DCTC_TEST_MOTO_ACCESS_KEY_ID", "DCTC_TEST_MOTO_SECRET_ACCESS_KEY")}

with DAG(
    dag_id="integ_sensor",
    schedule="@daily",
    start_date=pendulum.datetime(2013, 6, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
) as dag:
    wait_raw = DctcSensor(task_id="wait_raw", target="raw@{{ ds }}", pipeline=PIPELINE, state=STATE, dctc=DCTC,
                          poke_interval=1, timeout=60)
    build = DctcOperator(
        task_id="build",
        args=["flow", "build", "rollup@{{ ds }}", "--json", "--pipeline", PIPELINE, "--state", STATE,
              "--exit-code-if-nothing-done", "7"],
        dctc=DCTC,
        env=MOTO,
    )
    wait_fresh = DctcSensor(task_id="wait_fresh", target="rollup@{{ macros.ds_add(ds, -1) }}/{{ ds }}",
                            pipeline=PIPELINE, state=STATE, dctc=DCTC, env=MOTO, poke_interval=1, timeout=60,
                            trigger_rule="none_failed")
    wait_raw >> build >> wait_fresh
