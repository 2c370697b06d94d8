"""Who may do what on the bus: the ACL grants of each role, derived from the settings.

Least privilege, checked against what each program really sends:

- An agency writes only its domain's topics and their dead-letter topics. Its connectors
  also keep their positions on the offsets topic (read at start, written in each
  transaction), report their state on the status topic and follow operators' requests on
  the control topic; those three topics are shared by every connector, keyed by connector
  name. Each connector's transactional id (`lienthong-connect-<name>`) is granted by name.
  The connector checks at start that every bus topic exists, so an agency may describe
  (see the name and partitions of) every bus topic, and read or write none of the others.
- The stream worker reads the centre's source topics in its consumer group and the
  agencies' signing keys, and writes the dead-letter topics; like a connector, it describes
  every bus topic at start.
- The registry reads and writes its schemas topic through its one transactional id.
- Operators describe everything, read every topic and group (tail, lag, dead letters),
  and write the control topic (pause, resume, restart).
"""

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = [
    "AclGrant",
    "AgencyDomain",
    "Operation",
    "PatternType",
    "ResourceType",
    "ServiceRole",
    "agency_grants",
    "connector_transactional_id",
    "principal_of",
    "service_grants",
]


class ResourceType(IntEnum):
    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5
    DELEGATION_TOKEN = 6
    USER = 7


class PatternType(IntEnum):
    ANY = 1
    MATCH = 2
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12
    CREATE_TOKENS = 13
    DESCRIBE_TOKENS = 14
    TWO_PHASE_COMMIT = 15


class AgencyDomain(StrEnum):
    """The department systems an agency may publish for."""

    MOTCUA = "motcua"
    LAND = "land"
    EDOC = "edoc"

    def topics(self, settings: Settings) -> list[TopicName]:
        topics = settings.topics
        match self:
            case AgencyDomain.MOTCUA:
                return [topics.dossiers]
            case AgencyDomain.LAND:
                return [topics.land_parcels]
            case AgencyDomain.EDOC:
                return [topics.documents, topics.document_statuses]


class ServiceRole(StrEnum):
    WORKER = "worker"
    REGISTRY = "registry"
    OPERATOR = "operator"


@dataclass(frozen=True, order=True, slots=True)
class AclGrant:
    """One ALLOW entry for a principal, from any host."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern_type: PatternType
    operation: Operation


_CLUSTER = "kafka-cluster"
_ANY_NAME = "*"


def principal_of(name: str) -> str:
    return f"User:{name}"


def connector_transactional_id(connector: str) -> str:
    """As connectors.runner names it: a second instance of a connector fences the first."""
    return f"lienthong-connect-{connector}"


def agency_grants(
    settings: Settings, agency: str, domain: AgencyDomain, connectors: list[str]
) -> list[AclGrant]:
    principal = principal_of(agency)
    topics = settings.topics
    own = domain.topics(settings)
    grants = _topic(principal, [*own, *(topics.dead_letter(t) for t in own)], Operation.WRITE)
    grants += _topic(principal, _every_bus_topic(settings), Operation.DESCRIBE)
    grants += _topic(principal, [topics.connector_offsets], Operation.READ, Operation.WRITE)
    grants += _topic(principal, [topics.connector_status], Operation.WRITE)
    grants += _topic(principal, [topics.connector_control], Operation.READ)
    for connector in connectors:
        transactional_id = connector_transactional_id(connector)
        for operation in (Operation.WRITE, Operation.DESCRIBE):
            grants.append(
                AclGrant(
                    principal,
                    ResourceType.TRANSACTIONAL_ID,
                    transactional_id,
                    PatternType.LITERAL,
                    operation,
                )
            )
    return sorted(set(grants))


def service_grants(settings: Settings, role: ServiceRole, name: str) -> list[AclGrant]:
    principal = principal_of(name)
    topics = settings.topics
    grants: list[AclGrant] = []
    match role:
        case ServiceRole.WORKER:
            sources = topics.centre_sources
            grants += _topic(principal, sources, Operation.READ, Operation.DESCRIBE)
            dead = [topics.dead_letter(t) for t in sources]
            grants += _topic(principal, dead, Operation.WRITE, Operation.DESCRIBE)
            grants += _literal(
                principal, ResourceType.GROUP, settings.streams.app_id, Operation.READ
            )
            grants += _topic(principal, _every_bus_topic(settings), Operation.DESCRIBE)
            grants += _topic(principal, [topics.keys], Operation.READ)
        case ServiceRole.REGISTRY:
            from lienthong.registry.writer import transactional_id

            schemas = [settings.registry.topic]
            grants += _topic(
                principal, schemas, Operation.READ, Operation.WRITE, Operation.DESCRIBE
            )
            writer = transactional_id(settings)
            grants += _literal(
                principal,
                ResourceType.TRANSACTIONAL_ID,
                writer,
                Operation.WRITE,
                Operation.DESCRIBE,
            )
        case ServiceRole.OPERATOR:
            anything = (Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS, Operation.READ)
            grants += _literal(principal, ResourceType.TOPIC, _ANY_NAME, *anything)
            grants += _literal(
                principal, ResourceType.GROUP, _ANY_NAME, Operation.DESCRIBE, Operation.READ
            )
            grants += _literal(principal, ResourceType.CLUSTER, _CLUSTER, Operation.DESCRIBE)
            grants += _topic(principal, [topics.connector_control], Operation.WRITE)
    return sorted(set(grants))


def _every_bus_topic(settings: Settings) -> list[TopicName]:
    """Described (never read or written) by every program that checks at start that the bus's
    topics exist: without it that check would find one missing and try to create it."""
    from lienthong.topics import bus_topics

    return [spec.name for spec in bus_topics(settings)]


def _topic(principal: str, names: list[TopicName], *operations: Operation) -> list[AclGrant]:
    return [
        AclGrant(principal, ResourceType.TOPIC, name, PatternType.LITERAL, operation)
        for name in names
        for operation in operations
    ]


def _literal(
    principal: str, resource: ResourceType, name: str, *operations: Operation
) -> list[AclGrant]:
    return [AclGrant(principal, resource, name, PatternType.LITERAL, op) for op in operations]
