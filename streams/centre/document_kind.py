"""E-documents as a kind the centre keeps: the edXML header's searchable fields as columns,
the whole document (organisations, signer, attachment claim checks) as JSON beside them."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, String, Table, Text, delete, select

from lienthong.events import Document, DocumentChange
from schemas import DOCUMENT_CHANGE
from streams.centre.dialect import chunks, key_in
from streams.centre.kinds import EntityKey, KindChanges, before_after_kind, envelope_fields
from streams.centre.schema import METADATA, deletion_table, envelope_columns, history_table

__all__ = [
    "DELETED_DOCUMENTS",
    "DOCUMENTS",
    "DOCUMENT_DOSSIERS",
    "DOCUMENT_HISTORY",
    "DOCUMENT_KIND",
    "document_from_row",
]

DOCUMENTS = Table(
    "documents",
    METADATA,
    Column("document_id", String, primary_key=True),
    Column("from_organ_id", String, nullable=False, index=True),
    Column("code_number", String, nullable=False),
    Column("code_notation", Text, nullable=False),
    Column("promulgation_date", Date, nullable=False),
    Column("document_type", BigInteger, nullable=False),
    Column("type_name", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("business_doc_type", String, nullable=False),
    Column("due_date", Date),
    Column("dossier_nos", Text, nullable=False, comment="JSON array of the dossiers it answers"),
    Column("document", Text, nullable=False, comment="JSON: the whole document"),
    *envelope_columns(),
)

DELETED_DOCUMENTS = deletion_table("deleted_documents", "document_id")

DOCUMENT_DOSSIERS = Table(
    "document_dossiers",
    METADATA,
    Column("dossier_no", String, primary_key=True),
    Column("document_id", String, primary_key=True, index=True),
    comment="Which documents answer which dossiers: the current documents' dossier_nos",
)

DOCUMENT_HISTORY = history_table("document_history", "document_id", "document")


def document_row(change: DocumentChange, synced_at: datetime) -> dict[str, Any]:
    document = change.after
    if document is None:
        raise ValueError(f"event {change.envelope.event_id} carries no document to store")
    return {
        "document_id": document.document_id,
        "from_organ_id": document.from_organization.organ_id,
        "code_number": document.code.number,
        "code_notation": document.code.notation,
        "promulgation_date": document.promulgation.promulgation_date,
        "document_type": document.document_type.type,
        "type_name": document.document_type.type_name,
        "subject": document.subject,
        "business_doc_type": document.business_doc_type.value,
        "due_date": document.due_date,
        "dossier_nos": json.dumps(list(document.dossier_nos), ensure_ascii=False),
        "document": document.model_dump_json(),
        **envelope_fields(change, synced_at),
    }


def document_from_row(row: Any) -> Document:
    return Document.model_validate_json(row["document"])


class DossierLinks:
    """Keeps `document_dossiers` equal to the dossier numbers the documents hold now: the
    links of every document the batch touched are read back from `documents` after the
    batch's rows are in, so an older version that did not apply, or a deleted document,
    leaves exactly the links the current rows say."""

    def capture(self, conn: Connection, keys: Sequence[EntityKey]) -> None:
        return None

    def apply(
        self, conn: Connection, changes: KindChanges, captured: None, synced_at: datetime
    ) -> None:
        for some in chunks(changes.keys):
            conn.execute(
                delete(DOCUMENT_DOSSIERS).where(key_in(conn, DOCUMENT_DOSSIERS, _ID, some))
            )
            current = select(DOCUMENTS.c.document_id, DOCUMENTS.c.dossier_nos).where(
                key_in(conn, DOCUMENTS, _ID, some)
            )
            links = [
                {"dossier_no": dossier_no, "document_id": document_id}
                for document_id, dossier_nos in conn.execute(current)
                for dossier_no in sorted(set(json.loads(dossier_nos)))
            ]
            if links:
                conn.execute(DOCUMENT_DOSSIERS.insert(), links)


_ID = ("document_id",)


DOCUMENT_KIND = before_after_kind(
    "documents",
    DocumentChange,
    DOCUMENT_CHANGE,
    current=DOCUMENTS,
    deleted=DELETED_DOCUMENTS,
    history=DOCUMENT_HISTORY,
    id_field="document_id",
    state="document",
    row_of=document_row,
    derivations=(DossierLinks(),),
)
