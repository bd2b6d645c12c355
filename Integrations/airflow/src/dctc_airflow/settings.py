"""Where dctc, the pipeline and the credentials come from on an Airflow worker.

Nothing of the machine that exported a DAG is baked into it: each setting is the operator's
argument when given, else an Airflow Variable, else dctc's own default.

- executable: `dctc=` argument, else Variable `dctc_executable`, else `dctc` on the worker's PATH;
- pipeline file: `pipeline=` argument, else Variable `dctc_pipeline`, else dctc's default
  ($DCTC_PIPELINE, then ./pipeline.dctc.yaml in the working directory);
- state file: `state=` argument, else Variable `dctc_state`, else dctc's default
  ($XDG_STATE_HOME/dctc/state.sqlite: a cache on each worker; the sidecars beside the outputs
  are the durable trace);
- credentials: the Airflow Connections named by `connections=` (e.g. `["aws_default"]`), put
  into dctc's environment (never its argv) as `connection_environment` says.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable, Mapping

VARIABLE_EXECUTABLE = "dctc_executable"
VARIABLE_PIPELINE = "dctc_pipeline"
VARIABLE_STATE = "dctc_state"


def variable(key: str) -> str | None:
    """An Airflow Variable, or None when it is not set (or no Airflow answers, as in unit tests).

    `AIRFLOW_VAR_<KEY>` in the environment is one of Airflow's own sources and is read first.
    """
    value = os.environ.get("AIRFLOW_VAR_" + key.upper())
    if value:
        return value
    try:
        from airflow.sdk import Variable  # Airflow 3
    except ImportError:  # Airflow 2.x
        try:
            from airflow.models import Variable  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        found = Variable.get(key, default=None)
    except Exception:  # noqa: BLE001 - no API server or metadata DB reachable: not set
        return None
    return found or None


def resolve(explicit: str | None, key: str, fallback: str | None = None) -> str | None:
    """The operator's argument, else the Variable `key`, else `fallback`."""
    if explicit:
        return explicit
    return variable(key) or fallback


def _get_connection(conn_id: str) -> Any:
    try:
        from airflow.sdk import BaseHook  # Airflow 3
    except ImportError:  # Airflow 2.x
        from airflow.hooks.base import BaseHook  # type: ignore[no-redef]
    return BaseHook.get_connection(conn_id)


def _env_name(conn_id: str) -> str:
    return "DCTC_CONN_" + re.sub(r"[^A-Za-z0-9]", "_", conn_id).upper()


def connection_environment(conn: Any, conn_id: str | None = None) -> dict[str, str]:
    """The variables dctc reads for one Airflow Connection.

    - `aws` connections: login → AWS_ACCESS_KEY_ID, password → AWS_SECRET_ACCESS_KEY, extra
      `aws_session_token` → AWS_SESSION_TOKEN, `region_name` → AWS_REGION, `endpoint_url`
      (or `host`) → AWS_ENDPOINT_URL: what dctc's s3:// addresses read, as aws-cli does.
    - any other type (sftp, ftp, http, …): DCTC_CONN_<ID>_HOST, _PORT, _LOGIN, _PASSWORD, for an
      account of the pipeline to name (`password_env: DCTC_CONN_SFTP_DEFAULT_PASSWORD`).
    """
    out: dict[str, str] = {}
    extra: Mapping[str, Any] = getattr(conn, "extra_dejson", None) or {}
    conn_type = (getattr(conn, "conn_type", "") or "").lower()
    if conn_type in ("aws", "s3"):
        pairs = {
            "AWS_ACCESS_KEY_ID": getattr(conn, "login", None) or extra.get("aws_access_key_id"),
            "AWS_SECRET_ACCESS_KEY": getattr(conn, "password", None) or extra.get("aws_secret_access_key"),
            "AWS_SESSION_TOKEN": extra.get("aws_session_token"),
            "AWS_REGION": extra.get("region_name"),
            "AWS_ENDPOINT_URL": extra.get("endpoint_url") or getattr(conn, "host", None),
        }
    else:
        base = _env_name(conn_id or getattr(conn, "conn_id", None) or "connection")
        port = getattr(conn, "port", None)
        pairs = {
            base + "_HOST": getattr(conn, "host", None),
            base + "_PORT": str(port) if port else None,
            base + "_LOGIN": getattr(conn, "login", None),
            base + "_PASSWORD": getattr(conn, "password", None),
        }
    for key, value in pairs.items():
        if value:
            out[key] = str(value)
    return out


def connections_environment(conn_ids: Iterable[str]) -> dict[str, str]:
    """The environment of several connections (later ones win)."""
    env: dict[str, str] = {}
    for conn_id in conn_ids:
        env.update(connection_environment(_get_connection(conn_id), conn_id))
    return env
