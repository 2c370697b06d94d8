"""Registry errors keep Confluent's error codes; the HTTP edge derives the status from them."""

import json

import pytest

from lienthong.errors import RetriableError, SchemaError
from lienthong.ids import SchemaId, Subject
from lienthong.registry.errors import (
    IncompatibleSchemaError,
    InvalidCompatibilityLevelError,
    InvalidSchemaError,
    InvalidVersionError,
    MalformedRequestError,
    RegistryError,
    RegistryNotReadyError,
    RegistryStoreError,
    RegistryTimeoutError,
    SchemaNotFoundError,
    SubjectCompatibilityNotConfiguredError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    UnsupportedMediaTypeError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from lienthong.registry.http_app import error_response, http_status
from lienthong.registry.writer import WriterFencedError
from lienthong.serde.media import REGISTRY_CONTENT_TYPE

S = Subject("s")

CASES: list[tuple[RegistryError, int, int]] = [
    (SubjectNotFoundError(S), 40401, 404),
    (VersionNotFoundError(3), 40402, 404),
    (SchemaNotFoundError(SchemaId(9)), 40403, 404),
    (SubjectSoftDeletedError(S), 40404, 404),
    (SubjectNotSoftDeletedError(S), 40405, 404),
    (VersionSoftDeletedError(S, 1), 40406, 404),
    (VersionNotSoftDeletedError(S, 1), 40407, 404),
    (SubjectCompatibilityNotConfiguredError(S), 40408, 404),
    (IncompatibleSchemaError("no"), 409, 409),
    (InvalidSchemaError("bad"), 42201, 422),
    (InvalidVersionError("0"), 42202, 422),
    (InvalidCompatibilityLevelError(), 42203, 422),
    (MalformedRequestError("not json"), 400, 400),
    (UnsupportedMediaTypeError("text/plain"), 415, 415),
    (RegistryStoreError("broker down"), 50001, 500),
    (WriterFencedError("taken over"), 50001, 500),
    (RegistryTimeoutError("slow"), 50002, 500),
    (RegistryNotReadyError(), 503, 503),
]


@pytest.mark.parametrize(("error", "code", "status"), CASES)
def test_each_error_has_its_confluent_code_and_status(
    error: RegistryError, code: int, status: int
) -> None:
    assert error.error_code == code
    assert http_status(error) == status
    response = error_response(error)
    assert response.status == status
    assert response.content_type == REGISTRY_CONTENT_TYPE
    assert response.text is not None
    assert json.loads(response.text) == {"error_code": code, "message": error.message}


def test_confluents_messages() -> None:
    assert SubjectNotFoundError(S).message == "Subject 's' not found."
    assert VersionNotFoundError(3).message == "Version 3 not found."
    assert SchemaNotFoundError(SchemaId(9)).message == "Schema 9 not found"
    assert SchemaNotFoundError().message == "Schema not found"
    assert "between [1, 2^31-1]" in InvalidVersionError("0").message


def test_retriable_is_data_on_the_class() -> None:
    retriable = {type(e) for e, _, _ in CASES if e.retriable}
    assert retriable == {
        RegistryStoreError,
        WriterFencedError,
        RegistryTimeoutError,
        RegistryNotReadyError,
    }
    assert all(issubclass(kind, RetriableError) for kind in retriable)
    assert issubclass(InvalidSchemaError, SchemaError)
    assert issubclass(IncompatibleSchemaError, SchemaError)
