"""One settings object per process, read from `LIENTHONG_*` environment variables.

Nested sections use a double underscore: `LIENTHONG_KAFKA__BOOTSTRAP_SERVERS`,
`LIENTHONG_CENTRE__DSN`, `LIENTHONG_DEV__BROKER_PORT`.
"""

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lienthong.ids import ConnectorName, TopicName

__all__ = [
    "CentreSettings",
    "ConnectorSettings",
    "DashboardSettings",
    "DevKafkaSettings",
    "KafkaSettings",
    "LogSettings",
    "ObserveSettings",
    "PrivacySettings",
    "RegistrySettings",
    "Settings",
    "SourceSettings",
    "StreamsSettings",
    "SubjectNameStrategy",
    "TopicSettings",
    "TrustSettings",
]


class KafkaSettings(BaseModel):
    """Where the brokers are and how every client proves who it is.

    Combinations (SASL needs a username and one password source, TLS files need TLS) are
    checked when a client is built (`lienthong.kafka_clients`), so an error never echoes a
    secret the way a validation error would print its input.
    """

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "lienthong"
    request_timeout_s: float = 30.0
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    """The principal: an agency id, a service name, or the admin."""
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    """A file holding the password (first line), instead of `sasl_password`."""
    ssl_cafile: Path | None = None
    """PEM certificates the broker's certificate must chain to; the system's when unset."""
    ssl_certfile: Path | None = None
    """For mutual TLS: this client's PEM certificate chain (may hold the key too)."""
    ssl_keyfile: Path | None = None


class TopicSettings(BaseModel):
    dossiers: TopicName = TopicName("motcua.dossiers")
    land_parcels: TopicName = TopicName("land.parcels")
    documents: TopicName = TopicName("edoc.documents")
    document_statuses: TopicName = TopicName("edoc.statuses")
    connector_offsets: TopicName = TopicName("lienthong.connect.offsets")
    connector_status: TopicName = TopicName("lienthong.connect.status")
    """Compacted: each connector's last reported state (running, paused, failed…) and counters."""
    connector_control: TopicName = TopicName("lienthong.connect.control")
    """Compacted: what operators asked of each connector (pause, resume, stop, restart)."""
    keys: TopicName = TopicName("lienthong.keys")
    """Compacted: the agencies' public signing keys, by key id (`lienthong keys`)."""
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    @property
    def centre_sources(self) -> list[TopicName]:
        """The topics the centre's stream processors read, one per kind of entity."""
        return [self.dossiers, self.land_parcels, self.documents, self.document_statuses]

    def dead_letter(self, topic: TopicName) -> TopicName:
        return TopicName(f"{topic}.dlq")


class DevKafkaSettings(BaseModel):
    """The local single-node broker that `lienthong dev up` runs from Maven Central jars."""

    kafka_version: str = "4.0.2"
    scala_version: str = "2.13"
    log4j_version: str = "2.24.3"
    host: str = "127.0.0.1"
    broker_port: int = Field(default=9092, ge=1, le=65535)
    controller_port: int = Field(default=9093, ge=1, le=65535)
    heap: str = "512m"
    start_timeout_s: float = 90.0
    home: Path | None = None
    """Where the broker's jars, config, data and log live; `<var_dir>/kafka` when unset."""
    libs_dir: Path | None = None
    """Where the resolved jars live; `<home>/libs` when unset. Several homes may share one."""
    secure: bool = False
    """SASL/SCRAM-SHA-512 over TLS with ACLs (`dev up --secure`); plain TCP, no ACLs when off."""
    admin_username: str = "admin"
    """The super-user bootstrapped into a secure broker's storage when it is formatted."""
    admin_password: SecretStr | None = None
    """The admin's password at format time; a random one kept in `<home>/secrets` when unset."""


class SubjectNameStrategy(StrEnum):
    """How a subject name is derived, as Confluent's serializers do it."""

    TOPIC_NAME = "topic_name"
    """`<topic>-value` / `<topic>-key` (the default)."""
    RECORD_NAME = "record_name"
    """The record's full name."""
    TOPIC_RECORD_NAME = "topic_record_name"
    """`<topic>-<record full name>`."""


class RegistrySettings(BaseModel):
    """The schema registry: the service (`lienthong registry serve`) and its clients."""

    url: str = "http://127.0.0.1:8081"
    """Where clients reach a Confluent-compatible registry (ours, Confluent's or Karapace)."""
    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=1, le=65535)
    topic: TopicName = TopicName("_schemas")
    """Compacted topic holding every schema, config and delete, in Confluent's record format."""
    default_compatibility: str = "BACKWARD"
    subject_strategy: SubjectNameStrategy = SubjectNameStrategy.TOPIC_NAME
    auto_register: bool = True
    """Producers register their schema when missing; false = it must be registered already."""
    request_timeout_s: float = Field(default=10.0, gt=0)


class CentreSettings(BaseModel):
    """The integration centre's store: SQLite under var/ unless a PostgreSQL DSN is set."""

    dsn: SecretStr | None = None
    sqlite_path: Path | None = None


class SourceSettings(BaseModel):
    """The department-side one-stop-shop database the simulator writes and the connector reads."""

    dsn: SecretStr | None = None
    sqlite_path: Path | None = None
    agency_id: str = "000.00.00.H41"
    system_id: str = "motcua"


class ConnectorSettings(BaseModel):
    name: ConnectorName = ConnectorName("motcua-outbox")
    batch_size: int = Field(default=500, ge=1)
    poll_interval_s: float = Field(default=0.5, gt=0)
    heartbeat_every_s: float = Field(default=5.0, gt=0)
    """How often a running connector reports its state; three missed reports mean it is gone."""


class StreamsSettings(BaseModel):
    app_id: str = "lienthong-centre"
    batch_size: int = Field(default=500, ge=1)
    batch_within_s: float = Field(default=0.5, gt=0)
    web_port: int = Field(default=6066, ge=1, le=65535)
    overdue_every_s: float = Field(default=60.0, gt=0)
    """How often the worker recounts the dossiers overdue now (they change with the clock)."""


class ObserveSettings(BaseModel):
    """When operators' views call a source late or silent (time since its last event)."""

    late_after_s: float = Field(default=120.0, gt=0)
    silent_after_s: float = Field(default=900.0, gt=0)


class DashboardSettings(BaseModel):
    """The operators' web dashboard (`lienthong dashboard`)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=1, le=65535)
    sample_every_s: float = Field(default=2.0, gt=0)
    history_points: int = Field(default=300, ge=2)
    """Samples kept per time series (300 at 2 s: the last ten minutes)."""


class TrustSettings(BaseModel):
    """Signed events: agencies' connectors sign, the centre's worker verifies."""

    require_signatures: bool = True
    """An unsigned event is a dead letter; false accepts it (a signed one is always checked)."""
    signing_key_file: Path | None = None
    """The agency's Ed25519 private key (PEM) for connectors whose spec names none."""


class PrivacySettings(BaseModel):
    """What the centre keeps of personal data (lienthong.privacy)."""

    policy_file: Path | None = None
    """A YAML policy; the shipped one (lienthong/privacy/default-policy.yaml) when unset."""
    hash_key: SecretStr | None = None
    """Key of the keyed hashes, 32 characters or more, never changed once used. Required with
    a PostgreSQL centre; a SQLite centre makes one under `<var_dir>/privacy/` when unset."""


class LogSettings(BaseModel):
    level: str = "INFO"
    json_lines: bool | None = None
    """JSON lines when true, readable text when false, decided by the terminal when unset."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIENTHONG_",
        env_nested_delimiter="__",
        extra="ignore",
        # A validation error would otherwise echo its input, passwords and DSNs included.
        hide_input_in_errors=True,
    )

    var_dir: Path = Path("var")
    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    dev: DevKafkaSettings = DevKafkaSettings()
    registry: RegistrySettings = RegistrySettings()
    centre: CentreSettings = CentreSettings()
    source: SourceSettings = SourceSettings()
    connector: ConnectorSettings = ConnectorSettings()
    streams: StreamsSettings = StreamsSettings()
    observe: ObserveSettings = ObserveSettings()
    dashboard: DashboardSettings = DashboardSettings()
    log: LogSettings = LogSettings()
    trust: TrustSettings = TrustSettings()
    privacy: PrivacySettings = PrivacySettings()

    @property
    def kafka_home(self) -> Path:
        return self.dev.home if self.dev.home is not None else self.var_dir / "kafka"

    @property
    def centre_sqlite_path(self) -> Path:
        return self.centre.sqlite_path or self.var_dir / "centre.db"

    @property
    def source_sqlite_path(self) -> Path:
        return self.source.sqlite_path or self.var_dir / "source" / "motcua.db"
