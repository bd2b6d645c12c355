"""Running the dctc executable: exit codes, streamed output, the JSON result line.

Shared by dctc_airflow and dctc_luigi; free of Airflow and Luigi imports so it can be tested
on its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

# dctc's exit codes (Docs/exit-codes.md, ExitStatus in the Swift sources).
SUCCESS = 0
NEGATIVE = 1
USAGE = 2
NOT_FOUND = 3
PARTIAL = 4
TRANSIENT = 5
FATAL = 6
NOTHING_TO_DO = 7
CHECK_FAILED = 8
INPUT_MISSING = 9
LOCK_HELD = 10
INTERRUPTED = 130

EXIT_NAMES = {
    SUCCESS: "success",
    NEGATIVE: "negative",
    USAGE: "usage or invalid pipeline",
    NOT_FOUND: "not found",
    PARTIAL: "a step failed",
    TRANSIENT: "transient failure",
    FATAL: "fatal failure",
    NOTHING_TO_DO: "nothing to do",
    CHECK_FAILED: "a check failed",
    INPUT_MISSING: "an external input is missing",
    LOCK_HELD: "another run holds a lock",
    INTERRUPTED: "interrupted",
}

#: Codes after which the same command may succeed later (Airflow retries, sensors poke again).
RETRYABLE = frozenset({TRANSIENT, INPUT_MISSING, LOCK_HELD})

#: How many lines of standard error a failure message quotes.
STDERR_TAIL = 20


def exit_name(code: int) -> str:
    """The meaning of a dctc exit code, in words."""
    if code < 0:
        return f"killed by signal {-code}"
    return EXIT_NAMES.get(code, "unknown exit code")


@dataclass
class DctcResult:
    """What one dctc run left: its exit code, its output and its JSON result, if any."""

    argv: list[str]
    exit_code: int
    stdout_lines: list[str] = field(default_factory=list)
    stderr_lines: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == SUCCESS

    def describe_failure(self) -> str:
        """One paragraph saying what failed: the command, the code and its meaning, dctc's errors."""
        lines = [f"{' '.join(self.argv)} exited with {self.exit_code} ({exit_name(self.exit_code)})"]
        lines += unit_errors(self.result)
        errors = [line for line in self.stderr_lines if line.startswith("dctc:")]
        lines += (errors or self.stderr_lines)[-STDERR_TAIL:]
        return "\n".join(lines)


def unit_errors(result: Mapping[str, Any] | None) -> list[str]:
    """The units of a flow report that did not end well, one line each."""
    if not result:
        return []
    out = []
    for unit in result.get("units") or []:
        outcome = unit.get("outcome")
        if outcome in ("failed", "check-failed", "input-missing", "locked"):
            detail = unit.get("error") or "; ".join(unit.get("reasons") or [])
            failed_checks = [f"{c.get('check')}: {c.get('detail')}" for c in unit.get("checks") or [] if not c.get("passed")]
            if failed_checks:
                detail = "; ".join(filter(None, [detail] + failed_checks))
            out.append(f"{outcome} {unit.get('step')}@{unit.get('partition')}: {detail}")
    return out


def summarize(result: Mapping[str, Any] | None) -> str | None:
    """A one-line summary of a JSON result (flow build/status), or None for other commands."""
    if not result:
        return None
    command = result.get("command")
    if command == "status":
        counts = ", ".join(f"{n} {k}" for k, n in sorted((result.get("counts") or {}).items()))
        return f"dctc flow status: {counts or 'no partitions'}; all fresh: {result.get('allFresh')}"
    if "built" in result and "fresh" in result:
        parts = [f"{result.get('built', 0)} built", f"{result.get('fresh', 0)} fresh"]
        for key, word in (("wouldBuild", "to build"), ("failed", "failed"), ("checkFailed", "check failed"),
                          ("inputMissing", "waiting for input"), ("locked", "locked"), ("skipped", "skipped")):
            if result.get(key):
                parts.append(f"{result[key]} {word}")
        suffix = " (nothing to do)" if result.get("nothingToDo") else ""
        return f"dctc flow {command}: " + ", ".join(parts) + suffix
    return None


def last_json_object(lines: Sequence[str]) -> dict[str, Any] | None:
    """The last non-empty line of standard output parsed as a JSON object, when it is one."""
    for line in reversed(lines):
        text = line.strip()
        if not text:
            continue
        if not text.startswith("{"):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None


class DctcNotFound(OSError):
    """The dctc executable could not be started."""


class DctcProcess:
    """One run of dctc, with standard error (and the non-JSON lines of standard output)
    streamed line by line to callbacks while it runs.

    `interrupt()` may be called from another thread (an Airflow `on_kill`): dctc gets SIGINT,
    removes its temporary files and exits with 130; SIGKILL follows if it does not.
    """

    def __init__(
        self,
        args: Sequence[str],
        dctc: str = "dctc",
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        on_stderr: Callable[[str], None] | None = None,
        on_stdout: Callable[[str], None] | None = None,
    ) -> None:
        self.argv = [str(dctc)] + [str(a) for a in args]
        self.env = dict(os.environ)
        if env:
            self.env.update({str(k): str(v) for k, v in env.items()})
        self.cwd = cwd or None
        self.on_stderr = on_stderr
        self.on_stdout = on_stdout
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def run(self) -> DctcResult:
        try:
            proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=self.env, cwd=self.cwd, text=True, encoding="utf-8", errors="replace", bufsize=1,
            )
        except FileNotFoundError as e:
            raise DctcNotFound(f"cannot run {self.argv[0]!r}: {e.strerror} (install dctc on the worker or pass dctc=/path/to/dctc)") from e
        except PermissionError as e:
            raise DctcNotFound(f"cannot run {self.argv[0]!r}: {e.strerror}") from e
        with self._lock:
            self._proc = proc
        stderr_lines: list[str] = []

        def pump_stderr() -> None:
            assert proc.stderr is not None
            for raw in proc.stderr:
                line = raw.rstrip("\n")
                stderr_lines.append(line)
                if self.on_stderr:
                    self.on_stderr(line)

        reader = threading.Thread(target=pump_stderr, name="dctc-stderr", daemon=True)
        reader.start()
        stdout_lines: list[str] = []
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            stdout_lines.append(line)
            if self.on_stdout and not line.lstrip().startswith("{"):
                self.on_stdout(line)
        code = proc.wait()
        reader.join()
        proc.stdout.close()
        proc.stderr.close()
        with self._lock:
            self._proc = None
        return DctcResult(self.argv, code, stdout_lines, stderr_lines, last_json_object(stdout_lines))

    def interrupt(self, grace_seconds: float = 30.0) -> None:
        with self._lock:
            proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_dctc(args: Sequence[str], dctc: str = "dctc", env: Mapping[str, str] | None = None,
             cwd: str | None = None) -> DctcResult:
    """Runs dctc to the end and returns what it left (no streaming)."""
    return DctcProcess(args, dctc=dctc, env=env, cwd=cwd).run()


def status_args(targets: str | Sequence[str], pipeline: str | None = None, state: str | None = None) -> list[str]:
    """`flow status TARGET... --json [--pipeline P] [--state S]`."""
    args = ["flow", "status"] + ([targets] if isinstance(targets, str) else list(targets)) + ["--json"]
    if pipeline:
        args += ["--pipeline", pipeline]
    if state:
        args += ["--state", state]
    return args


def build_args(targets: str | Sequence[str], pipeline: str | None = None, state: str | None = None,
               upstream: str = "none", extra: Sequence[str] = ()) -> list[str]:
    """`flow build TARGET... --upstream MODE --json [--pipeline P] [--state S] EXTRA...`."""
    args = ["flow", "build"] + ([targets] if isinstance(targets, str) else list(targets))
    args += ["--upstream", upstream, "--json"]
    if pipeline:
        args += ["--pipeline", pipeline]
    if state:
        args += ["--state", state]
    return args + list(extra)
