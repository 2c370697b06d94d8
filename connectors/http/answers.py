"""The bodies the API answers with, as models: the handlers build them and the OpenAPI
description is generated from them."""

from pydantic import BaseModel, Field

__all__ = ["BatchAccepted", "ChangeAccepted", "FieldProblem", "Health", "Problem"]


class ChangeAccepted(BaseModel):
    """A change committed to Kafka."""

    event_id: str = Field(description="The published event's id (a UUID).")
    domain: str
    key: str
    version: int


class BatchAccepted(BaseModel):
    """Every change of a batch (or of an edXML package) committed to Kafka, in order."""

    accepted: int
    results: list[ChangeAccepted]


class FieldProblem(BaseModel):
    loc: str = Field(description="Where in the body: `after.applicant.name`, `[3].version`.")
    msg: str


class Problem(BaseModel):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class Health(BaseModel):
    connector: str
    accepting: bool = Field(description="False while the connector starts, retries or stops.")
