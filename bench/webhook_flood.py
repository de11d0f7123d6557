"""Benchmark: the daemon's memory when an unsigned 100 MB body is posted to its webhook.

A webhook endpoint is on the internet; anyone can post anything to it. The daemon must refuse a
body over its limit before reading it. Run: `python -m bench.webhook_flood [--megabytes 100]`.

Starts the local HubSpot sandbox and `handoff run` beside it (SQLite, a webhook secret, a free
port), waits for `/readyz`, then streams the body for real (not only announced) and prints the
daemon's answer and its resident memory (VmRSS, VmHWM from /proc) before and after.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.hubspot_common import wait

CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


def wait_ready(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        wait(0.5)
    raise SystemExit(f"the daemon did not get ready on port {port}")


def post(port: int, megabytes: int) -> tuple[int | str, float]:
    """Stream the body; the daemon may answer (and close) before it is all sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", "/webhooks/hubspot")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(megabytes * CHUNK))
    connection.endheaders()
    sent = 0
    block = b" " * CHUNK
    try:
        for _ in range(megabytes):
            connection.send(block)
            sent += 1
    except OSError:
        pass
    try:
        status: int | str = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    return status, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="handoff-flood-"))
    crm_port, http_port = free_port(), free_port()
    handoff = [sys.executable, "-m", "handoff"]
    sandbox = subprocess.Popen(
        [*handoff, "sandbox", "--port", str(crm_port), "--contacts", "200"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "HANDOFF_CRM": "hubspot",
        "HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.db",
        "HANDOFF_HUBSPOT_BASE_URL": f"http://127.0.0.1:{crm_port}",
        "HANDOFF_HUBSPOT_TOKEN": "sandbox-token",
        "HANDOFF_HUBSPOT_WEBHOOK_SECRET": "a-client-secret",
        "HANDOFF_HTTP_PORT": str(http_port),
    }
    daemon = subprocess.Popen(
        [*handoff, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(http_port)
        wait(5)  # the first cycle's work settles
        before = memory_mb(daemon.pid)
        answers = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            status, sent = post(http_port, args.megabytes)
            answers.append((status, sent, time.perf_counter() - started))
        wait(1)
        after = memory_mb(daemon.pid)
    finally:
        daemon.terminate()
        sandbox.terminate()
        daemon.wait(30)
        sandbox.wait(30)
    for n, (status, sent, seconds) in enumerate(answers, 1):
        print(f"post {n}: {args.megabytes} MB unsigned, {sent} MB sent; answer {status} in {seconds:.2f} s")
    print(f"daemon memory before: RSS {before['VmRSS']:.0f} MB (peak {before['VmHWM']:.0f} MB)")
    print(f"daemon memory after:  RSS {after['VmRSS']:.0f} MB (peak {after['VmHWM']:.0f} MB)")


if __name__ == "__main__":
    main()
