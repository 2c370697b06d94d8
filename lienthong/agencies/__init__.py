"""Who may do what on a secure bus: agencies' and services' principals, passwords and ACLs."""

from lienthong.agencies.grants import (
    AclGrant,
    AgencyDomain,
    Operation,
    PatternType,
    ResourceType,
    ServiceRole,
    agency_grants,
    principal_of,
    service_grants,
)
from lienthong.agencies.principals import (
    NewPrincipal,
    Principal,
    add_agency,
    add_service,
    list_principals,
    revoke_principal,
)

__all__ = [
    "AclGrant",
    "AgencyDomain",
    "NewPrincipal",
    "Operation",
    "PatternType",
    "Principal",
    "ResourceType",
    "ServiceRole",
    "add_agency",
    "add_service",
    "agency_grants",
    "list_principals",
    "principal_of",
    "revoke_principal",
    "service_grants",
]
