"""The bus's processes as an operator runs them (`lienthong ...` in a shell of their own),
each writing to a log file the test shows when something fails; started again after a
crash as a service manager would."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest

from lienthong.settings import Settings
from tests.cli_env import lienthong_env

__all__ = ["Child"]


class Child:
    def __init__(
        self, name: str, arguments: Sequence[str], settings: Settings, log_dir: Path, **env: str
    ) -> None:
        self.name = name
        self.arguments = list(arguments)
        self.env = lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="true", **env)
        self.log_path = log_dir / f"{name}.log"
        self.starts = 0
        self.crashes: list[int] = []
        """Exit codes of the runs that ended by themselves (restarted by `keep_running`)."""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert not self.alive, f"{self.name} is already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "lienthong", *self.arguments],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def kill(self) -> None:
        """SIGKILL: no chance to finish a batch, commit or say goodbye."""
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=30)

    def stop(self, grace_s: float = 60.0) -> int | None:
        """SIGTERM, as a service manager stops it; SIGKILL if it ignores that."""
        if self._process is None:
            return None
        if self.alive:
            os.killpg(self._process.pid, signal.SIGTERM)
        try:
            return self._process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
            pytest.fail(f"{self.name} ignored SIGTERM for {grace_s:.0f} s\n{self.log_tail()}")

    def keep_running(self) -> bool:
        """As a service manager does (Restart=always): a run that ended is started again.
        True when it restarted one."""
        if self._process is None or self.alive:
            return False
        self.crashes.append(self._process.returncode)
        self.start()
        return True

    def logged(self, needle: str) -> int:
        """How many lines of its log hold `needle`."""
        if not self.log_path.exists():
            return 0
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return sum(needle in line for line in text.splitlines())

    def wait_until_answering(self, url: str, timeout_s: float = 60.0) -> None:
        """Until `url` answers 200 (a service's readiness)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive:
                pytest.fail(f"{self.name} exited {self.exit_code}\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"{self.name} never answered at {url}\n{self.log_tail()}")

    def log_tail(self, lines: int = 25) -> str:
        if not self.log_path.exists():
            return f"--- {self.name}: no log"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return f"--- {self.name} ({self.log_path})\n" + "\n".join(text.splitlines()[-lines:])

    async def wait_for_log(self, needle: str, times: int = 1, timeout_s: float = 90.0) -> None:
        """Until `needle` is in `times` lines of its log (restarted when it ends)."""
        deadline = time.monotonic() + timeout_s
        while self.logged(needle) < times:
            self.keep_running()
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name} never logged {needle!r}\n{self.log_tail()}")
            await asyncio.sleep(0.2)
