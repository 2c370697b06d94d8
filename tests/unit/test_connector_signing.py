"""Connectors sign their agency's events: the key named in connectors.yaml (or the setting),
the key id inside the value, the signature in a header, a missing key a clear error."""

import json
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.building import SIGN, EventBuilder, connector_signers
from connectors.contract import Domain
from connectors.headers import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER
from connectors.spec import ConnectorSpec, load_connectors
from lienthong.errors import ConfigurationError
from lienthong.ids import ConnectorName
from lienthong.settings import Settings, TopicSettings, TrustSettings
from lienthong.trust import key_id_for, load_signers, signature_valid, write_private_key
from tests.unit.json_encoder import JsonEncoder
from tests.unit.test_connector_building import change

NOW = datetime(2025, 7, 2, tzinfo=UTC)
H41 = "000.00.00.H41"
PRIVATE = Ed25519PrivateKey.generate()
KEY_ID = key_id_for(PRIVATE.public_key())
SPEC = ConnectorSpec(
    name=ConnectorName("motcua"), kind="outbox", agency=H41, system="motcua", domains=("dossiers",)
)


def builder(tmp_path: Path, **others: Path) -> EventBuilder:
    path = tmp_path / "h41.pem"
    write_private_key(path, PRIVATE)
    signers = load_signers(H41, path, others)
    return EventBuilder(SPEC, TopicSettings(), {Domain.DOSSIERS: JsonEncoder()}, signers)


def test_an_event_is_signed_over_its_topic_key_and_value(tmp_path: Path) -> None:
    built = builder(tmp_path).records(change(), NOW)
    (record,) = built.records
    headers = dict(record.headers)
    assert headers[SIGNATURE_KEY_HEADER] == KEY_ID.encode()
    assert record.value is not None
    envelope = json.loads(record.value)["envelope"]
    assert envelope["signature_key_id"] == KEY_ID
    assert envelope["signature"] is None  # the signature cannot sit in the bytes it signs
    public = PRIVATE.public_key()
    signature = headers[SIGNATURE_HEADER]
    assert signature_valid(public, signature, record.topic, record.key, record.value)


def test_a_tombstone_is_not_signed(tmp_path: Path) -> None:
    built = builder(tmp_path).records(change(operation="DELETE", after=None), NOW)
    event, tombstone = built.records
    assert SIGNATURE_HEADER in dict(event.headers)
    assert tombstone.value is None and SIGNATURE_HEADER not in dict(tombstone.headers)


def test_a_change_of_an_agency_it_holds_no_key_for_is_a_dead_letter(tmp_path: Path) -> None:
    pushed = replace(change(), agency="000.00.00.G12")
    built = builder(tmp_path).records(pushed, NOW)
    assert built.dead_letter is not None and built.dead_letter.stage == SIGN
    assert "no signing key for agency 000.00.00.G12" in built.dead_letter.reason


def test_a_push_connector_signs_each_agency_with_its_own_key(tmp_path: Path) -> None:
    g12 = Ed25519PrivateKey.generate()
    write_private_key(tmp_path / "g12.pem", g12)
    pushed = replace(change(), agency="000.00.00.G12")
    (record,) = (
        builder(tmp_path, **{"000.00.00.G12": tmp_path / "g12.pem"}).records(pushed, NOW).records
    )
    assert dict(record.headers)[SIGNATURE_KEY_HEADER] == key_id_for(g12.public_key()).encode()


def test_without_any_key_events_go_unsigned() -> None:
    plain = EventBuilder(SPEC, TopicSettings(), {Domain.DOSSIERS: JsonEncoder()})
    (record,) = plain.records(change(), NOW).records
    assert SIGNATURE_HEADER not in dict(record.headers)
    assert record.value is not None
    assert json.loads(record.value)["envelope"]["signature_key_id"] is None


CONNECTORS = """
connectors:
  - name: motcua-outbox
    kind: outbox
    agency: 000.00.00.H41
    system: motcua
    domains: [dossiers]
    signing_key: keys/h41.pem
"""


def test_a_key_file_is_relative_to_the_connectors_file(tmp_path: Path) -> None:
    write_private_key(tmp_path / "keys" / "h41.pem", PRIVATE)
    (tmp_path / "connectors.yaml").write_text(CONNECTORS)
    (spec,) = load_connectors(tmp_path / "connectors.yaml").connectors
    assert spec.signing_key == tmp_path / "keys" / "h41.pem"
    signers = connector_signers(spec, TrustSettings())
    assert signers.for_agency(H41) is not None


def test_a_missing_key_stops_the_file_from_loading(tmp_path: Path) -> None:
    (tmp_path / "connectors.yaml").write_text(CONNECTORS)
    with pytest.raises(
        ConfigurationError, match="connector motcua-outbox: cannot read the signing"
    ):
        load_connectors(tmp_path / "connectors.yaml")


def test_the_setting_is_the_key_of_connectors_whose_spec_names_none(tmp_path: Path) -> None:
    path = tmp_path / "h41.pem"
    write_private_key(path, PRIVATE)
    signer = connector_signers(SPEC, TrustSettings(signing_key_file=path)).for_agency(H41)
    assert signer is not None and signer.key_id == KEY_ID
    assert not connector_signers(SPEC, TrustSettings()).signs


def test_signatures_are_required_unless_an_operator_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings().trust.require_signatures
    monkeypatch.setenv("LIENTHONG_TRUST__REQUIRE_SIGNATURES", "false")
    monkeypatch.setenv("LIENTHONG_TRUST__SIGNING_KEY_FILE", str(tmp_path / "k.pem"))
    monkeypatch.setenv("LIENTHONG_TOPICS__KEYS", "province.keys")
    settings = Settings()
    assert not settings.trust.require_signatures
    assert settings.trust.signing_key_file == tmp_path / "k.pem"
    assert settings.topics.keys == "province.keys"


def test_a_generated_key_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    write_private_key(path, PRIVATE)
    path.chmod(0o644)
    write_private_key(path, PRIVATE)  # rewriting fixes a loosened mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
