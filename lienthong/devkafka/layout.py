"""Where the development broker keeps its jars, config, data, logs and pid file."""

from dataclasses import dataclass
from pathlib import Path

from lienthong.settings import Settings

__all__ = ["BrokerLayout"]


@dataclass(frozen=True, slots=True)
class BrokerLayout:
    """Absolute paths, so the broker and every later command agree whatever their cwd."""

    home: Path
    libs_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> "BrokerLayout":
        home = settings.kafka_home.expanduser().resolve()
        libs = settings.dev.libs_dir
        libs_dir = libs.expanduser().resolve() if libs is not None else home / "libs"
        return cls(home=home, libs_dir=libs_dir)

    @property
    def classpath(self) -> str:
        """A java class-path wildcard: the JVM expands it, no shell involved."""
        return str(self.libs_dir / "*")

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def server_properties(self) -> Path:
        return self.config_dir / "server.properties"

    @property
    def log4j2_config(self) -> Path:
        return self.config_dir / "log4j2.properties"

    @property
    def meta_properties(self) -> Path:
        """Written by the storage format; its presence means the data dir is formatted."""
        return self.data_dir / "meta.properties"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def stdout_log(self) -> Path:
        return self.logs_dir / "stdout.log"

    @property
    def tls_dir(self) -> Path:
        """The local CA and the broker's certificate (secure mode); the CA key stays here."""
        return self.home / "tls"

    @property
    def ca_cert(self) -> Path:
        """What clients trust: LIENTHONG_KAFKA__SSL_CAFILE."""
        return self.tls_dir / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.tls_dir / "ca-key.pem"

    @property
    def broker_keystore(self) -> Path:
        """The broker's private key and certificate chain, one PEM file as Kafka reads it."""
        return self.tls_dir / "broker.pem"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def admin_password_file(self) -> Path:
        """The super-user's password (secure mode): LIENTHONG_KAFKA__SASL_PASSWORD_FILE."""
        return self.secrets_dir / "admin.password"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    def java_options(self) -> list[str]:
        """The JVM options every broker-side java command shares: class path and logging."""
        return [
            "-cp",
            self.classpath,
            f"-Dlog4j2.configurationFile={self.log4j2_config}",
            f"-Dkafka.logs.dir={self.logs_dir}",
        ]
