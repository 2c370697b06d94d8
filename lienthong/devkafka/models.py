"""What callers learn about the development broker: typed, never a bare dict."""

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BrokerInfo", "BrokerStatus"]


@dataclass(frozen=True, slots=True)
class BrokerInfo:
    """A broker that answers: the one `start_broker` launched, or found already running."""

    pid: int
    bootstrap_servers: str
    kafka_version: str
    home: Path
    data_dir: Path
    log_file: Path
    already_running: bool
    """True when the broker was up before the call, which then changed nothing."""
    resolved_jars: bool
    """True when Maven ran; False when the jars were reused from the manifest."""
    formatted_storage: bool


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    running: bool
    answering: bool
    pid: int | None
    bootstrap_servers: str
    broker_port: int
    controller_port: int
    kafka_version: str
    home: Path
    data_dir: Path
    log_file: Path
