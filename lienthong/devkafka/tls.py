"""The secure broker's TLS material: a local CA and a broker certificate it signs, as PEM.

The CA is created once per broker home and kept, so clients configured with its certificate
keep working across restarts; its key never leaves `<home>/tls`. The broker certificate is
issued again when the names it must cover change. Its subject is the broker's principal on
the controller listener (mutual TLS), and it serves both as server and client certificate.
"""

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lienthong.devkafka.layout import BrokerLayout

__all__ = ["BROKER_CERT_CN", "ensure_tls_material", "write_private"]

BROKER_CERT_CN = "lienthong-dev-broker"
_CA_CN = "lienthong development CA"
_CA_VALID = datetime.timedelta(days=3650)
_BROKER_VALID = datetime.timedelta(days=825)
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})

log = structlog.get_logger(__name__)

_Name = x509.DNSName | x509.IPAddress


@dataclass(frozen=True, slots=True)
class _Issuer:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def write_private(path: Path, data: bytes) -> None:
    """Write a secret: the file is 0600 from its creation, its directory 0700."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    path.chmod(0o600)  # an existing file keeps its mode through O_CREAT


def ensure_tls_material(layout: BrokerLayout, host: str) -> bool:
    """Make `<home>/tls` hold a CA and a broker certificate valid for `host`; True if issued."""
    wanted = _subject_names(host)
    ca = _load_ca(layout)
    if ca is None:
        ca = _new_ca(layout)
    elif _broker_cert_fits(layout, ca, wanted):
        return False
    _issue_broker_cert(layout, ca, wanted)
    log.info(
        "devkafka.tls.issued", tls_dir=str(layout.tls_dir), names=[str(n.value) for n in wanted]
    )
    return True


def _subject_names(host: str) -> list[_Name]:
    names: list[_Name] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    if host not in _WILDCARD_HOSTS and host not in {"localhost", "127.0.0.1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _load_ca(layout: BrokerLayout) -> _Issuer | None:
    try:
        cert = x509.load_pem_x509_certificate(layout.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(layout.ca_key.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return _Issuer(key, cert)


def _new_ca(layout: BrokerLayout) -> _Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _CA_CN)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _CA_VALID)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(layout.ca_key, _pkcs8(key))
    layout.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    layout.ca_cert.chmod(0o644)
    return _Issuer(key, cert)


def _broker_cert_fits(layout: BrokerLayout, ca: _Issuer, wanted: list[_Name]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(layout.broker_keystore.read_bytes())
        cert.verify_directly_issued_by(ca.cert)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    fresh = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > datetime.timedelta(
        days=1
    )
    return fresh and set(names) == set(wanted)


def _issue_broker_cert(layout: BrokerLayout, ca: _Issuer, names: list[_Name]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BROKER_CERT_CN)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _BROKER_VALID)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.cert.public_bytes(
        serialization.Encoding.PEM
    )
    # Kafka's PEM key store reads the key and the chain from one file; the key is PKCS#8.
    write_private(layout.broker_keystore, _pkcs8(key) + chain)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
