"""Secure mode of the development broker: its TLS material, its admin and how to reach it.

The admin is the one super-user besides the broker itself; its SCRAM credential is written
into the storage when it is formatted, since nobody could authenticate to create it later.
Its password comes from LIENTHONG_DEV__ADMIN_PASSWORD, or is drawn once and kept in
`<home>/secrets/admin.password` (0600).
"""

import secrets
from pathlib import Path

from pydantic import SecretStr

from lienthong.devkafka.config import advertised_host
from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.models import BrokerSecurity
from lienthong.devkafka.tls import BROKER_CERT_CN, ensure_tls_material, write_private
from lienthong.errors import ConfigurationError
from lienthong.settings import KafkaSettings, Settings

__all__ = [
    "BROKER_PRINCIPAL",
    "admin_kafka_settings",
    "client_environment",
    "prepare_security",
]

BROKER_PRINCIPAL = f"User:CN={BROKER_CERT_CN}"
"""The broker's identity on the mutual-TLS controller listener."""


def prepare_security(settings: Settings, layout: BrokerLayout) -> BrokerSecurity:
    """Create what a secure broker needs (CA, certificate, admin password) unless it exists."""
    dev = settings.dev
    if not dev.admin_username or any(c in dev.admin_username for c in ',=;" '):
        raise ConfigurationError(
            f"LIENTHONG_DEV__ADMIN_USERNAME {dev.admin_username!r} cannot be a SCRAM user name"
        )
    ensure_tls_material(layout, dev.host)
    password, password_file = _admin_password(settings, layout)
    return BrokerSecurity(
        admin_username=dev.admin_username,
        admin_password=password,
        ca_cert=layout.ca_cert,
        keystore=layout.broker_keystore,
        admin_password_file=password_file,
    )


def _admin_password(settings: Settings, layout: BrokerLayout) -> tuple[SecretStr, Path | None]:
    given = settings.dev.admin_password
    if given is not None:
        if not given.get_secret_value() or any(c in given.get_secret_value() for c in '"\\\n'):
            raise ConfigurationError(
                "LIENTHONG_DEV__ADMIN_PASSWORD must be non-empty, without quotes, "
                "backslashes or line breaks"
            )
        return given, None
    path = layout.admin_password_file
    try:
        kept = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        kept = ""
    if not kept:
        kept = secrets.token_urlsafe(24)
        write_private(path, f"{kept}\n".encode())
    return SecretStr(kept), path


def admin_kafka_settings(settings: Settings, security: BrokerSecurity) -> KafkaSettings:
    """Client settings for the secure broker as its admin (the start-up probe uses them)."""
    return settings.kafka.model_copy(
        update={
            "bootstrap_servers": f"{advertised_host(settings.dev)}:{settings.dev.broker_port}",
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": security.admin_username,
            "sasl_password": security.admin_password,
            "sasl_password_file": None,
            "ssl_cafile": security.ca_cert,
            "ssl_certfile": None,
            "ssl_keyfile": None,
        }
    )


def client_environment(security: BrokerSecurity) -> dict[str, str]:
    """The LIENTHONG_KAFKA__* variables, besides the bootstrap, that make a command the admin.

    The password itself is never among them: it is the file, or the setting already given.
    """
    env = {
        "LIENTHONG_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "LIENTHONG_KAFKA__SASL_MECHANISM": "SCRAM-SHA-512",
        "LIENTHONG_KAFKA__SSL_CAFILE": str(security.ca_cert),
        "LIENTHONG_KAFKA__SASL_USERNAME": security.admin_username,
    }
    if security.admin_password_file is not None:
        env["LIENTHONG_KAFKA__SASL_PASSWORD_FILE"] = str(security.admin_password_file)
    return env
