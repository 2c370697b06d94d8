"""Principals and ACLs on the broker, over the Kafka protocol as the admin client would.

The password leaves this process only as a SCRAM salted hash (RFC 5802: PBKDF2 with a
fresh random salt), which is what the broker stores; it never appears on a command line.
"""

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError, for_code

from lienthong.agencies.grants import AclGrant, Operation, PatternType, ResourceType
from lienthong.agencies.protocol import (
    AlterScramRequest,
    CreateAclsRequest,
    DeleteAclsRequest,
    DescribeAclsRequest,
    DescribeScramRequest,
)
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import KafkaSettings

__all__ = ["SecurityAdmin", "security_admin"]

SCRAM_SHA_512: Final = 2
SCRAM_ITERATIONS: Final = 8192
_ANY_HOST: Final = "*"
_ALLOW: Final = 3
_ANY_PERMISSION: Final = 1
_RESOURCE_NOT_FOUND: Final = 91  # a user without a SCRAM credential


class SecurityAdmin:
    def __init__(self, client: AIOKafkaClient) -> None:
        self._client = client

    async def _send(self, request: Any) -> Any:
        node = self._client.get_random_node()
        try:
            return await self._client.send(node, request)
        except KafkaError as exc:
            what = type(request).__name__
            raise RetriableError(f"the broker did not answer {what}: {exc}") from exc

    async def set_password(self, user: str, password: str) -> None:
        salt = secrets.token_bytes(32)
        salted = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, SCRAM_ITERATIONS)
        entry = (user, SCRAM_SHA_512, SCRAM_ITERATIONS, salt, salted)
        response = await self._send(AlterScramRequest([], [entry]))
        _raise_first_error(response.results, what=f"set the credential of {user}")

    async def remove_credential(self, user: str) -> bool:
        """False when `user` had no credential."""
        response = await self._send(AlterScramRequest([(user, SCRAM_SHA_512)], []))
        codes = [code for _user, code, *_rest in response.results]
        if codes and codes[0] == _RESOURCE_NOT_FOUND:
            return False
        _raise_first_error(response.results, what=f"remove the credential of {user}")
        return True

    async def users(self) -> list[str]:
        response = await self._send(DescribeScramRequest())
        _check(response.error_code, response.error_message, what="list SCRAM users")
        return sorted(str(user) for user, code, *_rest in response.results if code == 0)

    async def grant(self, grants: list[AclGrant]) -> None:
        entries = [_acl_entry(grant) for grant in grants]
        response = await self._send(CreateAclsRequest(entries))
        for code, message in response.results:
            _check(code, message, what="create ACLs")

    async def grants(self, principal: str | None = None) -> list[AclGrant]:
        response = await self._send(DescribeAclsRequest(_acls_of(principal)))
        _check(response.error_code, response.error_message, what="describe ACLs")
        found = [
            AclGrant(
                str(acl_principal),
                ResourceType(resource_type),
                str(name),
                PatternType(pattern),
                Operation(operation),
            )
            for resource_type, name, pattern, acls in response.resources
            for acl_principal, _host, operation, permission in acls
            if permission == _ALLOW
        ]
        return sorted(found)

    async def revoke_all(self, principal: str) -> int:
        """Delete every ACL of `principal`; returns how many there were."""
        response = await self._send(DeleteAclsRequest([_acls_of(principal)]))
        deleted = 0
        for code, message, matching in response.filter_results:
            _check(code, message, what=f"delete the ACLs of {principal}")
            deleted += len(matching)
        return deleted


@asynccontextmanager
async def security_admin(
    kafka: KafkaSettings, timeout_s: float = 10.0
) -> AsyncIterator[SecurityAdmin]:
    """An admin connection to the brokers of `kafka`, closed on exit."""
    client = AIOKafkaClient(
        **kafka_client_options(kafka),
        client_id=f"{kafka.client_id}-agencies",
        request_timeout_ms=int(timeout_s * 1000),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await client.bootstrap()
    except (KafkaError, TimeoutError, OSError) as exc:
        await client.close()
        raise RetriableError(
            f"Kafka at {kafka.bootstrap_servers} does not answer or refused the credentials "
            f"of {kafka.sasl_username or 'an anonymous client'} ({exc or type(exc).__name__})"
        ) from exc
    try:
        yield SecurityAdmin(client)
    finally:
        await client.close()


def _acl_entry(grant: AclGrant) -> tuple[int, str, int, str, str, int, int]:
    return (
        grant.resource_type,
        grant.resource_name,
        grant.pattern_type,
        grant.principal,
        _ANY_HOST,
        grant.operation,
        _ALLOW,
    )


def _raise_first_error(results: list[Any], *, what: str) -> None:
    for _user, code, message, *_rest in results:
        _check(code, message, what=what)


def _check(code: int, message: str | None, *, what: str) -> None:
    if code == 0:
        return
    error = for_code(code)
    detail = message or error.description
    text = f"the broker refused to {what}: {error.__name__}: {detail}"
    if error.retriable:
        raise RetriableError(text)
    raise ConfigurationError(text)


def _acls_of(principal: str | None) -> tuple[Any, ...]:
    """An ACL filter matching every allowed or denied ACL of `principal` (any when None)."""
    return (
        ResourceType.ANY,
        None,
        PatternType.ANY,
        principal,
        None,
        Operation.ANY,
        _ANY_PERMISSION,
    )
