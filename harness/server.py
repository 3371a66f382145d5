"""`streamlit run` on a free port for tests and benchmarks: given a store, a script and
an environment, wait for its health check, hand out its URL, keep its log, and stop its
whole process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running `streamlit run script` with PSP_DB=store on 127.0.0.1.

    The environment is the caller's, without PSP_BASEMAP_* (the default is offline: no
    basemap unless `env` names one), plus `env`. Its output goes to `log` (a temp file
    unless given; `output()` reads it). Raises RuntimeError with the log's tail when the
    server does not answer its health check within `timeout` seconds."""

    def __init__(
        self,
        store: Path,
        env: Mapping[str, str] | None = None,
        args: tuple[str, ...] = (),
        port: int | None = None,
        *,
        script: Path = DASHBOARD,
        log: Path | None = None,
        timeout: float = 90,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._own_log = log is None
        self.log = log or Path(tempfile.mkstemp(prefix="psp-streamlit-", suffix=".log")[1])
        full = {k: v for k, v in os.environ.items() if not k.startswith("PSP_BASEMAP_")}
        full.update(PSP_DB=str(store), **dict(env or {}))
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(script),
                    "--server.port",
                    str(self.port),
                    "--server.address",
                    "127.0.0.1",
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                    *args,
                ],  # fmt: skip
                cwd=ROOT,
                env=full,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends all of it
            )
        self._last_output = ""
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start ({script.name}):\n{self._last_output[-3000:]}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        """What the server printed so far (after stop(): all of it)."""
        if self.log.exists():
            return self.log.read_text(errors="replace")
        return self._last_output

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after 10 s; keeps the output."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
            except ProcessLookupError:
                pass
        self._last_output = self.output()
        if self._own_log:
            self.log.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
