"""What callers learn about the development broker: typed, never a bare dict."""

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

__all__ = ["BrokerInfo", "BrokerSecurity", "BrokerStatus"]


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
    security: "BrokerSecurity | None" = None
    """Set when the broker runs in secure mode: how to reach it as its admin."""


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
    secure: bool = False


@dataclass(frozen=True, slots=True)
class BrokerSecurity:
    """What a secure broker's configuration refers to: its admin and its TLS files."""

    admin_username: str
    admin_password: SecretStr = field(repr=False)
    ca_cert: Path
    keystore: Path
    admin_password_file: Path | None
    """Where clients can read the admin password; None when it came from the settings."""
