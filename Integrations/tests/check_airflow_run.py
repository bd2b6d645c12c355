"""Checks the latest run of a DAG in an Airflow metadata database (SQLite), for test.sh.

    check_airflow_run.py AIRFLOW_DB DAG_ID --expect built|nothing [--state TASK=STATE ...]

- the DAG run succeeded, and every task instance succeeded (or has the state --state gives);
- every succeeded task pushed a dctc JSON result to XCom (return_value);
- build results: with --expect built every task built at least one unit; with --expect
  nothing every task built nothing (nothingToDo); status results (DctcSensor): allFresh.

Exits 1 with the reasons when anything differs. Reads the tables of Airflow 3 (dag_run,
task_instance, xcom); made for the version test.sh pins.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys


def load(value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    data = json.loads(value)
    if isinstance(data, str):  # stored as a JSON string holding JSON
        data = json.loads(data)
    return data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("dag_id")
    parser.add_argument("--expect", choices=["built", "nothing"], required=True)
    parser.add_argument("--state", action="append", default=[], help="TASK=STATE for a task not expected to succeed")
    opts = parser.parse_args()
    wanted_states = dict(s.split("=", 1) for s in opts.state)

    db = sqlite3.connect(f"file:{opts.db}?mode=ro", uri=True)
    row = db.execute("SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (opts.dag_id,)).fetchone()
    if row is None:
        print(f"check: no run of {opts.dag_id} in {opts.db}")
        return 1
    run_id, run_state = row
    problems = []
    if run_state != "success":
        problems.append(f"the run {run_id} is {run_state}, not success")
    tasks = db.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? ORDER BY task_id",
                       (opts.dag_id, run_id)).fetchall()
    if not tasks:
        problems.append("the run has no task instances")
    xcoms = {task: load(value) for task, value in db.execute(
        "SELECT task_id, value FROM xcom WHERE dag_id = ? AND run_id = ? AND key = 'return_value'", (opts.dag_id, run_id))}
    for task, state in tasks:
        want = wanted_states.get(task, "success")
        result = xcoms.get(task)
        line = f"  {task}: {state}"
        if state != want:
            problems.append(f"{task} is {state}, not {want}")
        if state == "success":
            if not isinstance(result, dict):
                problems.append(f"{task} pushed no dctc JSON result to XCom")
            elif result.get("command") == "status":
                line += f", allFresh={result.get('allFresh')}"
                if result.get("allFresh") is not True:
                    problems.append(f"{task}: status says not all fresh: {result.get('counts')}")
            else:
                built, nothing = result.get("built"), result.get("nothingToDo")
                line += f", built={built}, fresh={result.get('fresh')}, nothingToDo={nothing}"
                if result.get("failed") or result.get("exitCode"):
                    problems.append(f"{task}: failed units in {result}")
                if opts.expect == "built" and not (isinstance(built, int) and built >= 1):
                    problems.append(f"{task} built {built} units, expected at least 1")
                if opts.expect == "nothing" and (built != 0 or nothing is not True):
                    problems.append(f"{task} built {built} units, expected nothing to do")
        print(line)
    for task in set(wanted_states) - {t for t, _ in tasks}:
        problems.append(f"no task {task} in the run")
    if problems:
        print(f"check {opts.dag_id} ({run_id}): FAILED")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"check {opts.dag_id} ({run_id}): {len(tasks)} tasks as expected ({opts.expect})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
