"""A page opened in a real headless browser: Debian's `chromium`, driven over the DevTools
protocol through a pipe (`--remote-debugging-pipe`: JSON messages ended by NUL on fds 3 and 4),
so no driver library and no network port is needed.

`open_page` loads a file and hands back what a reader's browser made of it: every console
message and error, every request that failed or left the machine, what a script measured in the
rendered DOM, and a full-page screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import selectors
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium")
BASH = shutil.which("bash") or "/bin/bash"
SKIP_REASON = (
    "needs Debian's chromium for the headless-browser check (apt-get install -y chromium; "
    ".ci/run installs it when missing)"
)
TIMEOUT_SECONDS = 60
# Each chart of a handoff page: its rendered size, and how many shapes matplotlib drew in it.
MEASURE = """Array.from(document.querySelectorAll('figure.chart svg')).map(svg => {
  const box = svg.getBoundingClientRect();
  return [Math.round(box.width), Math.round(box.height), svg.querySelectorAll('path, use').length];
})"""


@dataclass
class Page:
    console: list[tuple[str, str]] = field(default_factory=list)
    """(level, text) of every console message, exception and browser log entry."""
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    measured: Any = None
    screenshot: bytes = b""

    @property
    def errors(self) -> list[str]:
        return [text for level, text in self.console if level in ("error", "assert", "exception")]


class _Pipe:
    """The DevTools protocol over the browser's pipe: commands out, replies and events in."""

    def __init__(self, write_fd: int, read_fd: int, process: subprocess.Popen[bytes]) -> None:
        self.write_fd, self.read_fd, self.process = write_fd, read_fd, process
        self.selector = selectors.DefaultSelector()
        self.selector.register(read_fd, selectors.EVENT_READ)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self.next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        return self._until(lambda m: m.get("method") == method, keep=False)

    def _until(self, wanted: Any, keep: bool = True) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return dict(message)
                if "method" in message:
                    self.events.append(message)
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(timeout=left):
                raise TimeoutError("the browser did not answer in time")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError(f"the browser closed the pipe (exit {self.process.poll()})")
            self.buffer += chunk


def open_page(path: Path, profile: Path, *, width: int = 1280, script: str = "null") -> Page:
    """Load `path` in headless chromium; `script` (an expression) is evaluated once it loaded."""
    assert CHROMIUM is not None, SKIP_REASON
    to_browser_r, to_browser_w = _high(os.pipe())
    from_browser_r, from_browser_w = _high(os.pipe())
    # The browser reads commands on fd 3 and writes replies on fd 4: bash puts the pipes there
    # (they sit above fd 10, so neither redirection clobbers the other; POSIX sh stops at fd 9).
    process = subprocess.Popen(
        [
            BASH,
            "-c",
            f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- {from_browser_w}>&-',
            CHROMIUM,
            "--headless",
            "--remote-debugging-pipe",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(to_browser_r, from_browser_w),
    )
    os.close(to_browser_r)
    os.close(from_browser_w)
    pipe = _Pipe(to_browser_w, from_browser_r, process)
    page = Page()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        pipe.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        pipe.wait_event("Page.loadEventFired")
        result = pipe.send("Runtime.evaluate", {"expression": script, "returnByValue": True}, session=session)
        page.measured = result.get("result", {}).get("value")
        metrics = pipe.send("Page.getLayoutMetrics", session=session)
        size = metrics["cssContentSize"]
        shot = pipe.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            },
            session=session,
        )
        page.screenshot = base64.b64decode(shot["data"])
        _collect(pipe.events, page)
        pipe.send("Browser.close")
    finally:
        os.close(to_browser_w)
        os.close(from_browser_r)
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return page


def _high(fds: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to descriptors of 10 and above."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved[0], moved[1]


def _collect(events: list[dict[str, Any]], page: Page) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
            )
            page.console.append((params.get("type", "log"), text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            page.console.append(("exception", str(details.get("exception", {}).get("description", details))))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            page.console.append((entry.get("level", "info"), str(entry.get("text", ""))))
        elif method == "Network.requestWillBeSent":
            page.requests.append(str(params.get("request", {}).get("url", "")))
        elif method == "Network.loadingFailed":
            page.failed.append(str(params.get("errorText", "")))
