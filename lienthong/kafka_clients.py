"""How every Kafka client of the bus connects: where the brokers are and how it proves who it is.

aiokafka clients take `**kafka_client_options(settings.kafka)`; the faust app takes
`faust_broker_credentials(settings.kafka)`. Both read the same settings, so the worker's
consumer, producer and metadata client authenticate exactly as the one-shot commands do.
"""

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka.helpers import create_ssl_context

from lienthong.errors import ConfigurationError
from lienthong.settings import KafkaSettings

if TYPE_CHECKING:  # faust is slow to import and only the stream worker needs it
    from faust.auth import SASLCredentials, SSLCredentials

__all__ = [
    "check_kafka_security",
    "faust_broker_credentials",
    "kafka_client_options",
    "kafka_ssl_context",
    "sasl_password",
]

_TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
_SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})


def check_kafka_security(kafka: KafkaSettings) -> None:
    """Refuse combinations that would silently connect other than the operator meant."""
    protocol = kafka.security_protocol
    given_sasl = kafka.sasl_username or kafka.sasl_password or kafka.sasl_password_file
    if protocol in _SASL_PROTOCOLS:
        if not kafka.sasl_username:
            raise ConfigurationError(
                f"LIENTHONG_KAFKA__SECURITY_PROTOCOL is {protocol} but no principal is given: "
                "set LIENTHONG_KAFKA__SASL_USERNAME"
            )
        if (kafka.sasl_password is None) == (kafka.sasl_password_file is None):
            raise ConfigurationError(
                f"LIENTHONG_KAFKA__SECURITY_PROTOCOL is {protocol}: set exactly one of "
                "LIENTHONG_KAFKA__SASL_PASSWORD and LIENTHONG_KAFKA__SASL_PASSWORD_FILE"
            )
    elif given_sasl:
        raise ConfigurationError(
            f"SASL credentials are set but LIENTHONG_KAFKA__SECURITY_PROTOCOL is {protocol}, "
            "which sends none: use SASL_SSL (or SASL_PLAINTEXT), or remove them"
        )
    given_tls = kafka.ssl_cafile or kafka.ssl_certfile or kafka.ssl_keyfile
    if protocol not in _TLS_PROTOCOLS and given_tls:
        raise ConfigurationError(
            f"TLS files are set but LIENTHONG_KAFKA__SECURITY_PROTOCOL is {protocol}, "
            "which does not use TLS: use SSL or SASL_SSL, or remove them"
        )
    if kafka.ssl_keyfile is not None and kafka.ssl_certfile is None:
        raise ConfigurationError(
            "LIENTHONG_KAFKA__SSL_KEYFILE is set without LIENTHONG_KAFKA__SSL_CERTFILE"
        )


def sasl_password(kafka: KafkaSettings) -> str:
    """The SASL password, from the setting or the first line of the password file."""
    if kafka.sasl_password is not None:
        return kafka.sasl_password.get_secret_value()
    if kafka.sasl_password_file is None:
        raise ConfigurationError("no SASL password: set LIENTHONG_KAFKA__SASL_PASSWORD(_FILE)")
    try:
        text = kafka.sasl_password_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read LIENTHONG_KAFKA__SASL_PASSWORD_FILE {kafka.sasl_password_file}: "
            f"{exc.strerror}"
        ) from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise ConfigurationError(f"the password file {kafka.sasl_password_file} is empty")
    return lines[0]


def kafka_ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL (hostname checked); None for plain TCP."""
    if kafka.security_protocol not in _TLS_PROTOCOLS:
        return None
    for setting, path in (
        ("SSL_CAFILE", kafka.ssl_cafile),
        ("SSL_CERTFILE", kafka.ssl_certfile),
        ("SSL_KEYFILE", kafka.ssl_keyfile),
    ):
        _ensure_readable(setting, path)
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=kafka.ssl_cafile,
            certfile=kafka.ssl_certfile,
            keyfile=kafka.ssl_keyfile,
        )
    except (ssl.SSLError, OSError) as exc:
        raise ConfigurationError(
            f"cannot set up TLS for Kafka from LIENTHONG_KAFKA__SSL_*: {exc}"
        ) from exc
    return context


def kafka_client_options(kafka: KafkaSettings) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
    check_kafka_security(kafka)
    options: dict[str, Any] = {"bootstrap_servers": kafka.bootstrap_servers}
    if kafka.security_protocol == "PLAINTEXT":
        return options
    options["security_protocol"] = kafka.security_protocol
    context = kafka_ssl_context(kafka)
    if context is not None:
        options["ssl_context"] = context
    if kafka.security_protocol in _SASL_PROTOCOLS:
        options["sasl_mechanism"] = kafka.sasl_mechanism
        options["sasl_plain_username"] = kafka.sasl_username
        options["sasl_plain_password"] = sasl_password(kafka)
    return options


def faust_broker_credentials(
    kafka: KafkaSettings,
) -> "SASLCredentials | SSLCredentials | None":
    """faust's `broker_credentials`: its driver hands them to every consumer and producer."""
    from faust.auth import SASLCredentials, SSLCredentials

    check_kafka_security(kafka)
    context = kafka_ssl_context(kafka)
    if kafka.security_protocol in _SASL_PROTOCOLS:
        return SASLCredentials(
            username=kafka.sasl_username,
            password=sasl_password(kafka),
            ssl_context=context,
            mechanism=kafka.sasl_mechanism,
        )
    if context is not None:
        return SSLCredentials(context)
    return None


def _ensure_readable(setting: str, path: Path | None) -> None:
    if path is not None and not path.is_file():
        raise ConfigurationError(f"LIENTHONG_KAFKA__{setting} {path} is not a readable file")
