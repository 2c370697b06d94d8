"""Child processes the tests start: each must stop on SIGTERM, and cleanly."""

import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

__all__ = ["stopped_on_exit"]


@contextmanager
def stopped_on_exit(
    process: "subprocess.Popen[Any]", what: str, log: Callable[[], str], grace_s: float = 60.0
) -> Iterator[None]:
    """Run the block, then stop `process` with SIGTERM (unless it already ended) and require
    exit code 0. One that ignores SIGTERM for `grace_s` is killed and fails the test; `log`
    gives what it wrote, for the failure message. When the block itself fails, that failure
    is the one reported."""
    try:
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"{what} ignored SIGTERM for {grace_s:.0f} s\n{log()}")
    assert code == 0, f"{what} exited {code}\n{log()}"
