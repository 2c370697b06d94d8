"""A PostgreSQL cluster of the fault tests' own, on a free loopback port.

The fault suite stops its PostgreSQL for half a minute; the server the rest of the suite
shares must keep running, so these tests initialise a throwaway cluster from the same
Debian binaries (PostgreSQL refuses to run as root: the cluster belongs to `postgres`).
"""

import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

__all__ = ["PrivateCluster", "postgres_binaries"]

_OWNER = "postgres"
_PASSWORD = "faults"
_READY_S = 60.0


def postgres_binaries() -> Path | None:
    """The newest installed server's bin directory, or None when none is installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent)
    return found[-1].parent if found else None


@dataclass
class PrivateCluster:
    bin_dir: Path
    port: int
    home: Path = Path()
    """Its data directory and log: a directory of its own under the system's temporary
    directory, owned by `postgres` (pytest's own directories are closed to other users)."""

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{_OWNER}:{_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="lienthong-faults-pg-"))
        shutil.chown(self.home, _OWNER, _OWNER)
        password_file = self.home / "password"
        password_file.write_text(_PASSWORD, encoding="utf-8")
        shutil.chown(password_file, _OWNER, _OWNER)
        self._as_owner(
            "initdb", "-D", str(self.data_dir), "-U", _OWNER, "--pwfile", str(password_file),
            "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8",
        )  # fmt: skip
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.home}'\n"
            "wal_level = logical\n"
            "max_replication_slots = 10\n"
            "max_wal_senders = 10\n"
            "fsync = off\n"  # a test cluster: losing it on a machine crash costs nothing
        )
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(settings)

    def start(self) -> None:
        self._as_owner("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "start")
        deadline = time.monotonic() + _READY_S
        while not self.answers():
            if time.monotonic() > deadline:
                pytest.fail(f"the private PostgreSQL never answered:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """A fast shutdown: sessions are cut, as when a server goes down for maintenance."""
        self._as_owner("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.dsn(), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _as_owner(self, program: str, *arguments: str) -> None:
        command: Sequence[str] = [str(self.bin_dir / program), *arguments]
        done = subprocess.run(
            ["runuser", "-u", _OWNER, "--", *command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            pytest.fail(f"{program} failed ({done.returncode}): {done.stderr}{done.stdout}")
