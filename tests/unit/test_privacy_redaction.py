"""Citizen ids out of logs and error texts: exactly the CCCD shape and labelled CMNDs,
never offsets, timestamps, versions or UUIDs; and DSNs shown without their password."""

import io
import json
import logging

import pytest
import structlog
from pydantic import ValidationError

from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE, dead_letter_headers
from lienthong.errors import DeadLetterError
from lienthong.events import Applicant
from lienthong.ids import ConnectorName, TopicName
from lienthong.privacy import (
    REDACTED,
    RedactingFilter,
    describe_problems,
    redact_event,
    redact_text,
    redact_value,
    shown_dsn,
    without_secrets,
)

CCCD = "001099012345"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"applicant {CCCD} refused", f"applicant {REDACTED} refused"),
        (f"input_value='{CCCD}'", f"input_value='{REDACTED}'"),
        (f"CCCD-{CCCD}", f"CCCD-{REDACTED}"),
        ("số CMND: 123456789", f"số CMND: {REDACTED}"),
        ("applicant_id_number=012345678", f"applicant_id_number={REDACTED}"),
        ("id_number '040199123456'", f"id_number '{REDACTED}'"),
    ],
)
def test_citizen_ids_are_redacted(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "offset 123456789012 of partition 2",  # 12 digits, no leading 0
        "at 1754020800123 ms",  # a timestamp
        "097123456789 is no province code",  # 097 and up are not CCCD provinces
        "000123456789 neither",
        "event 1b4e28ba-2fa1-11d2-883f-001099012345 applied",  # a UUID's last group
        "digest a001099012345b and 0010990123456 (13 digits)",
        "version 123456789, 9 digits with no id label",
        "organ 000.00.00.H41 dossier H41-250701-0001",
    ],
)
def test_numbers_that_are_not_citizen_ids_are_kept(text: str) -> None:
    assert redact_text(text) == text


def test_every_string_of_a_log_line_is_redacted_and_id_fields_entirely() -> None:
    line = {"event": f"bad {CCCD}", "nested": {"ids": [CCCD, 7]}, "cmnd": "B1234567", "n": 1}
    assert redact_value(line) == {
        "event": f"bad {REDACTED}",
        "nested": {"ids": [REDACTED, 7]},
        "cmnd": REDACTED,
        "n": 1,
    }


def test_the_structlog_processor_redacts_exceptions_too() -> None:
    out = io.StringIO()
    log = structlog.wrap_logger(
        structlog.PrintLogger(file=out),
        processors=[
            structlog.processors.format_exc_info,
            redact_event,
            structlog.processors.JSONRenderer(),
        ],
    )
    try:
        raise ValueError(f"no dossier for {CCCD}")
    except ValueError:
        log.error("failed", applicant_id_number=CCCD, exc_info=True)
    written = json.loads(out.getvalue())
    assert CCCD not in out.getvalue()
    assert written["applicant_id_number"] == REDACTED
    assert f"no dossier for {REDACTED}" in written["exception"]


def test_library_records_are_redacted_before_formatting() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.privacy.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise KeyError(CCCD)
        except KeyError:
            logger.exception("lookup of %s failed", CCCD)
    finally:
        logger.removeHandler(handler)
    assert CCCD not in out.getvalue()
    assert f"lookup of {REDACTED} failed" in out.getvalue()


def test_a_validation_error_is_described_without_its_input() -> None:
    with pytest.raises(ValidationError) as raised:
        Applicant.model_validate({"kind": "CITIZEN", "id_number": CCCD})
    assert CCCD in str(raised.value)  # pydantic's own text: input_value={... the record}
    assert describe_problems(raised.value) == "name: Field required"


def test_a_dead_letter_header_carries_no_citizen_id() -> None:
    error = DeadLetterError(f"applicant {CCCD} is unknown", stage="VALIDATE")
    headers = dict(
        dead_letter_headers(
            error, target_topic=TopicName("t"), connector=ConnectorName("c"), extra=()
        )
    )
    assert headers[ERRORS_EXCEPTION_MESSAGE] == f"applicant {REDACTED} is unknown".encode()


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        ("postgresql://centre:s3cret-pw@db:5432/centre", "postgresql://centre:***@db:5432/centre"),
        ("postgresql//centre:s3cret-pw@db/centre", "postgresql//centre:***@db/centre"),
        ("host=db user=centre password=s3cret-pw", "host=db user=centre password=***"),
        ("sqlite:///var/centre.db", "sqlite:///var/centre.db"),
    ],
)
def test_a_dsn_is_shown_without_its_password(dsn: str, shown: str) -> None:
    assert shown_dsn(dsn) == shown


def test_secrets_are_taken_out_of_a_message() -> None:
    assert without_secrets("auth s3cret-pw failed", "s3cret-pw", None) == "auth *** failed"
