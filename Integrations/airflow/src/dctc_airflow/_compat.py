"""Airflow's public names, from the Airflow 3 task SDK when present, else the Airflow 2 paths."""

from __future__ import annotations

try:  # Airflow 3
    from airflow.sdk import BaseOperator, BaseSensorOperator
except ImportError:  # Airflow 2.x
    from airflow.models.baseoperator import BaseOperator  # type: ignore[no-redef]
    from airflow.sensors.base import BaseSensorOperator  # type: ignore[no-redef]

try:  # Airflow 3.1+
    from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException
except ImportError:  # Airflow 2.x, 3.0
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowException,
        AirflowFailException,
        AirflowSkipException,
    )

try:
    from airflow.sdk import PokeReturnValue
except ImportError:
    try:
        from airflow.sensors.base import PokeReturnValue  # type: ignore[no-redef]
    except ImportError:  # Airflow < 2.3
        PokeReturnValue = None  # type: ignore[assignment,misc]

__all__ = [
    "AirflowException",
    "AirflowFailException",
    "AirflowSkipException",
    "BaseOperator",
    "BaseSensorOperator",
    "PokeReturnValue",
]
