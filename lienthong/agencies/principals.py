"""Add, list and revoke the bus's principals: one per agency, one per service.

An agency's principal is its id (e.g. `000.00.00.H41`), a SCRAM-SHA-512 user whose ACLs let
it publish its domain only. Adding again replaces the password and the grants, so a changed
domain or connector list never leaves stale rights behind.
"""

import secrets
from dataclasses import dataclass

import structlog
from pydantic import SecretStr

from lienthong.agencies.grants import (
    AclGrant,
    AgencyDomain,
    ServiceRole,
    agency_grants,
    principal_of,
    service_grants,
)
from lienthong.agencies.security_admin import security_admin
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = [
    "NewPrincipal",
    "Principal",
    "add_agency",
    "add_service",
    "list_principals",
    "new_password",
    "revoke_principal",
]

log = structlog.get_logger(__name__)

_NAME_FORBIDDEN = frozenset(',="\\ \t\n')


@dataclass(frozen=True, slots=True)
class NewPrincipal:
    name: str
    password: SecretStr
    grants: list[AclGrant]


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    has_credential: bool
    grants: list[AclGrant]


def new_password() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(24))


def check_principal_name(name: str) -> None:
    if not name or any(char in _NAME_FORBIDDEN for char in name):
        raise ConfigurationError(
            f"{name!r} cannot name a principal: use letters, digits, '.', '-' or '_'"
        )


async def add_agency(
    settings: Settings,
    agency: str,
    domain: AgencyDomain,
    connectors: list[str],
    password: SecretStr | None = None,
) -> NewPrincipal:
    check_principal_name(agency)
    grants = agency_grants(settings, agency, domain, connectors)
    created = await _add(settings, agency, grants, password)
    log.info("agencies.agency_added", agency=agency, domain=str(domain), grants=len(grants))
    return created


async def add_service(
    settings: Settings, role: ServiceRole, name: str, password: SecretStr | None = None
) -> NewPrincipal:
    check_principal_name(name)
    grants = service_grants(settings, role, name)
    created = await _add(settings, name, grants, password)
    log.info("agencies.service_added", role=str(role), principal=name, grants=len(grants))
    return created


async def _add(
    settings: Settings, name: str, grants: list[AclGrant], password: SecretStr | None
) -> NewPrincipal:
    secret = password if password is not None else new_password()
    if not secret.get_secret_value():
        raise ConfigurationError(f"the password given for {name} is empty")
    async with security_admin(settings.kafka) as admin:
        await admin.revoke_all(principal_of(name))
        await admin.set_password(name, secret.get_secret_value())
        await admin.grant(grants)
    return NewPrincipal(name, secret, grants)


async def revoke_principal(settings: Settings, name: str) -> Principal:
    """Remove the credential and every ACL of `name`; what was removed comes back."""
    async with security_admin(settings.kafka) as admin:
        grants = await admin.grants(principal_of(name))
        await admin.revoke_all(principal_of(name))
        had_credential = await admin.remove_credential(name)
    if not grants and not had_credential:
        raise ConfigurationError(f"no principal {name} on {settings.kafka.bootstrap_servers}")
    log.info("agencies.revoked", principal=name, grants=len(grants))
    return Principal(name, had_credential, grants)


async def list_principals(settings: Settings) -> list[Principal]:
    """Every SCRAM user and every principal holding an ACL, with its grants."""
    async with security_admin(settings.kafka) as admin:
        users = await admin.users()
        grants = await admin.grants()
    prefix = principal_of("")
    names = set(users) | {g.principal.removeprefix(prefix) for g in grants}
    return [
        Principal(
            name,
            name in users,
            [g for g in grants if g.principal == principal_of(name)],
        )
        for name in sorted(names)
    ]
