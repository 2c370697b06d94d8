"""Poison events injected into the live dossier topic: records no worker may apply, each
of which must end in the dead-letter topic with its reason."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from connectors.headers import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER
from lienthong.events import DossierChange, Operation
from lienthong.serde import AvroSerializer, RegistryClient, repo_schema
from lienthong.settings import Settings
from lienthong.trust import EventSigner
from schemas import DOSSIER_CHANGE
from tests.factories import BUSINESS, dossier_change
from tests.integration.worker_support import Outgoing, signed

__all__ = ["Poison", "poison_records"]


@dataclass(frozen=True)
class Poison:
    key: str
    """The record key: a dossier number no source has."""
    stage: str
    """The `__connect.errors.stage` its dead letter must carry."""
    record: Outgoing


def _fresh(no: str) -> DossierChange:
    change = dossier_change(no, 1, Operation.CREATE, applicant=BUSINESS)
    envelope = change.envelope.model_copy(update={"ingested_at": datetime.now(UTC)})
    return change.model_copy(update={"envelope": envelope})


async def _framed(settings: Settings, avro: dict[str, Any]) -> bytes:
    async with RegistryClient.from_settings(settings.registry) as client:
        serializer = AvroSerializer(client, repo_schema(DOSSIER_CHANGE))
        await serializer.prepare(settings.topics.dossiers)
        return serializer.encode(avro)


async def poison_records(settings: Settings, signer: EventSigner) -> list[Poison]:
    """Undecodable bytes; a well-framed, well-signed record whose content breaks the event
    model (an empty procedure code); a signed event with one byte of its value changed."""
    topic = settings.topics.dossiers
    undecodable = Outgoing(topic, b"POISON-BYTES", b"\x07not a framed record", DOSSIER_CHANGE)

    invalid = _fresh("POISON-INVALID")
    avro = invalid.to_avro()
    avro["after"]["procedure_code"] = ""
    envelope = dict(avro["envelope"], signature_key_id=signer.key_id)
    value = await _framed(settings, dict(avro, envelope=envelope))
    signature = signer.sign(topic, b"POISON-INVALID", value)
    headers = ((SIGNATURE_HEADER, signature), (SIGNATURE_KEY_HEADER, signer.key_id.encode()))
    schema_invalid = Outgoing(topic, b"POISON-INVALID", value, DOSSIER_CHANGE, headers)

    good = await signed(settings, _fresh("POISON-TAMPERED"), signer)
    assert isinstance(good.value, bytes)
    at = good.value.index(b"1.004227") + 7  # a digit of the procedure code: still decodes
    tampered = replace(good, value=good.value[:at] + b"9" + good.value[at + 1 :])
    return [
        Poison("POISON-BYTES", "VALUE_CONVERTER", undecodable),
        Poison("POISON-INVALID", "VALUE_CONVERTER", schema_invalid),
        Poison("POISON-TAMPERED", "SIGNATURE", tampered),
    ]
