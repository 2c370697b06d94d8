"""The broker's configuration files: server.properties rendered from settings, log4j2 shipped."""

from importlib import resources

from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.models import BrokerSecurity
from lienthong.devkafka.tls import BROKER_CERT_CN, write_private
from lienthong.settings import DevKafkaSettings

__all__ = ["NODE_ID", "advertised_host", "render_server_properties", "write_config"]

NODE_ID = 1
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})


def advertised_host(dev: DevKafkaSettings) -> str:
    """The host clients are told to connect to: the listener's, unless it listens everywhere."""
    return "127.0.0.1" if dev.host in _WILDCARD_HOSTS else dev.host


def render_server_properties(
    dev: DevKafkaSettings, layout: BrokerLayout, security: BrokerSecurity | None = None
) -> str:
    """A single-node KRaft broker and controller; every internal topic has one replica.

    With `security`, the properties hold the admin's password: the file must stay 0600.
    """
    public = advertised_host(dev)
    settings: dict[str, str | int | bool] = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        "controller.quorum.bootstrap.servers": f"{public}:{dev.controller_port}",
        "listeners": (
            f"PLAINTEXT://{dev.host}:{dev.broker_port},CONTROLLER://{dev.host}:{dev.controller_port}"
        ),
        "advertised.listeners": (
            f"PLAINTEXT://{public}:{dev.broker_port},CONTROLLER://{public}:{dev.controller_port}"
        ),
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    }
    if security is not None:
        settings |= _secure_properties(dev, security)
    settings |= {
        "log.dirs": str(layout.data_dir),
        # The project creates every topic explicitly, with its own partition count.
        "auto.create.topics.enable": False,
        "num.partitions": 3,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        "offsets.topic.replication.factor": 1,
        # The connectors write transactionally: the transaction log must fit on one node.
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        # A lone consumer should not wait three seconds for peers that never come.
        "group.initial.rebalance.delay.ms": 0,
        # On restart the controller refuses the broker's new registration until the old
        # session expires (DUPLICATE_BROKER_REGISTRATION): keep that wait short.
        "broker.heartbeat.interval.ms": 1000,
        "broker.session.timeout.ms": 3000,
    }
    lines = ["# Written by `lienthong dev up` from lienthong's settings; edits are overwritten."]
    lines += [f"{key}={_property_value(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _secure_properties(
    dev: DevKafkaSettings, security: BrokerSecurity
) -> dict[str, str | int | bool]:
    """Clients and the broker itself authenticate with SCRAM-SHA-512 over TLS; the controller
    listens on loopback only and takes mutual TLS with a certificate of the local CA. Nothing
    is allowed that no ACL allows, except to the admin and the broker."""
    public = advertised_host(dev)
    loopback = "127.0.0.1"
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{security.admin_username}" '
        f'password="{security.admin_password.get_secret_value()}";'
    )
    return {
        "controller.quorum.bootstrap.servers": f"{loopback}:{dev.controller_port}",
        "listeners": (
            f"SASL_SSL://{dev.host}:{dev.broker_port},CONTROLLER://{loopback}:{dev.controller_port}"
        ),
        "advertised.listeners": (
            f"SASL_SSL://{public}:{dev.broker_port},CONTROLLER://{loopback}:{dev.controller_port}"
        ),
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "CONTROLLER:SSL,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(security.keystore),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(security.ca_cert),
        "listener.name.controller.ssl.client.auth": "required",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": False,
        "super.users": f"User:{security.admin_username};User:CN={BROKER_CERT_CN}",
    }


def _property_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_config(
    dev: DevKafkaSettings, layout: BrokerLayout, security: BrokerSecurity | None = None
) -> None:
    """Write server.properties (0600: it may hold a password) and log4j2's configuration."""
    layout.config_dir.mkdir(parents=True, exist_ok=True)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    properties = render_server_properties(dev, layout, security).encode("utf-8")
    write_private(layout.server_properties, properties)
    log4j2 = resources.files("lienthong.devkafka").joinpath("log4j2.properties")
    layout.log4j2_config.write_text(log4j2.read_text(encoding="utf-8"), encoding="utf-8")
