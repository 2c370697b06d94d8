"""The broker's JVM: launched detached, recognised by its command line, stopped as a group."""

import os
import signal
import subprocess
import time
from pathlib import Path

from lienthong.devkafka.layout import BrokerLayout
from lienthong.errors import ConfigurationError

__all__ = [
    "BROKER_MAIN_CLASS",
    "find_broker_pid",
    "is_broker_process",
    "launch_broker",
    "log_tail",
    "terminate_broker",
]

BROKER_MAIN_CLASS = "kafka.Kafka"
_PROC = Path("/proc")
# The shell backgrounds java and exits at once: the JVM is nobody's child (no zombie
# waits on the caller) and lives in the new session `start_new_session` gives the shell.
_LAUNCHER = 'log="$1"; shift; "$@" </dev/null >>"$log" 2>&1 & echo "$!"'


def _command_line(pid: int) -> list[str]:
    if _PROC.is_dir():
        try:
            raw = (_PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return []
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    done = subprocess.run(
        ["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return done.stdout.split()


def is_broker_process(pid: int, layout: BrokerLayout) -> bool:
    """True when `pid` is a live JVM running this home's broker (not a reused pid, not a zombie)."""
    command = _command_line(pid)
    return BROKER_MAIN_CLASS in command and str(layout.server_properties) in command


def find_broker_pid(layout: BrokerLayout) -> int | None:
    """This home's broker: from the pid file, or else by its command line when /proc allows."""
    try:
        pid = int(layout.pid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pid = 0
    if pid > 0 and is_broker_process(pid, layout):
        return pid
    if _PROC.is_dir():
        for entry in _PROC.iterdir():
            if entry.name.isdigit() and is_broker_process(int(entry.name), layout):
                return int(entry.name)
    return None


def launch_broker(java: Path, heap: str, layout: BrokerLayout) -> int:
    """Start the broker detached, its output appended to stdout.log; returns the JVM's pid."""
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(java),
        f"-Xmx{heap}",
        "-Djava.awt.headless=true",
        *layout.java_options(),
        BROKER_MAIN_CLASS,
        str(layout.server_properties),
    ]
    done = subprocess.run(
        ["/bin/sh", "-c", _LAUNCHER, "lienthong-dev-kafka", str(layout.stdout_log), *command],
        cwd=layout.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        check=False,
    )
    try:
        pid = int(done.stdout.strip())
    except ValueError as exc:
        raise ConfigurationError(f"could not launch the broker JVM: {done.stderr.strip()}") from exc
    layout.pid_file.write_text(f"{pid}\n", encoding="ascii")
    return pid


def terminate_broker(pid: int, layout: BrokerLayout, grace_s: float = 30.0) -> None:
    """SIGTERM the broker's process group, wait for a clean shutdown, SIGKILL after `grace_s`."""
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        _signal(pid, group, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not is_broker_process(pid, layout):
                return
            time.sleep(0.1)
    raise ConfigurationError(f"the broker (pid {pid}) survived SIGKILL; see `ps -p {pid}`")


def _signal(pid: int, group: int, sig: signal.Signals) -> None:
    try:
        if group == os.getpgrp():  # never signal our own process group
            os.kill(pid, sig)
        else:
            os.killpg(group, sig)
    except ProcessLookupError:
        pass


def log_tail(layout: BrokerLayout, lines: int = 25) -> str:
    """The end of the broker's logs, to show why it would not start."""
    parts: list[str] = []
    for path in (layout.stdout_log, layout.server_log):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        tail = [line for line in text.splitlines() if line.strip()][-lines:]
        if tail:
            parts.append(f"  {path}:\n" + "\n".join(f"    {line}" for line in tail))
    return "\n".join(parts) if parts else "  (the broker wrote no log)"
