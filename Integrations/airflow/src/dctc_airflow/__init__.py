"""Airflow operators for dctc: run any dctc command (DctcOperator) or wait for fresh
partitions of a dctc flow pipeline (DctcSensor). See Docs/integrations.md in the dctc sources."""

from dctc_airflow.operators import DctcOperator, raise_for_exit
from dctc_airflow.sensors import DctcSensor
from dctc_airflow.fanout import sync_shards

__all__ = ["DctcOperator", "DctcSensor", "raise_for_exit", "sync_shards"]
__version__ = "0.1.0"
