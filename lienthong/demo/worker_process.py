"""The stream worker as a child process of the demo, with its log in a file."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from lienthong.settings import Settings

__all__ = ["WorkerProcess"]


class WorkerProcess:
    """`lienthong streams worker` in its own session, so a terminal's Ctrl-C reaches only
    the demo, which then stops the worker in order."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        env = os.environ | {
            "LIENTHONG_VAR_DIR": str(settings.var_dir.resolve()),
            "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
            "LIENTHONG_REGISTRY__URL": settings.registry.url,
            "LIENTHONG_LOG__JSON_LINES": "true",
            "LIENTHONG_TRUST__REQUIRE_SIGNATURES": "true",  # every department signs
        }
        with log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "lienthong", "streams", "worker"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self._process.poll()

    def peak_rss_bytes(self) -> int | None:
        """The most memory the worker has held (VmHWM, Linux); None when not readable."""
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # reported in kB
        return None

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace_s: float = 30.0) -> int:
        """SIGTERM, then SIGKILL after `grace_s`; returns the exit code."""
        if self.alive:
            self._process.send_signal(signal.SIGTERM)
            try:
                return self._process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
        return self._process.wait()
