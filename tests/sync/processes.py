"""Running `handoff` as a real process, as an operator (or systemd) would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HANDOFF = str(Path(sys.executable).with_name("handoff"))


def environment(crm_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")}
    env.update(
        HANDOFF_CRM="memory",
        HANDOFF_MEMORY_CRM_PATH=str(crm_path),
        HANDOFF_DATABASE_URL=database_url,
        HANDOFF_LOG_FORMAT="json",
        **extra,
    )
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start handoff with its output in `log` (a pipe nobody reads would fill and block it)."""
    with log.open("ab") as output:
        return subprocess.Popen([HANDOFF, *args], env=env, stdout=output, stderr=subprocess.STDOUT)


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HANDOFF, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; the pause between polls is a plain blocking wait."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        pause.wait(0.05)
