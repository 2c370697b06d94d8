"""TCP ports of the development broker: free before it starts, answering once it runs."""

import socket

from lienthong.errors import ConfigurationError
from lienthong.settings import DevKafkaSettings

__all__ = ["ensure_ports_free", "find_free_port", "port_accepts", "port_is_free"]


def port_is_free(host: str, port: int) -> bool:
    """True when a listener could bind `host:port` now.

    SO_REUSEADDR, as the JVM sets it, so connections of a broker that just stopped
    (TIME_WAIT) do not count as the port being taken; a live listener still does.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def port_accepts(host: str, port: int, timeout_s: float = 0.5) -> bool:
    """True when something accepts TCP connections on `host:port`."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def find_free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel considers free right now (for tests and throwaway brokers)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_ports_free(dev: DevKafkaSettings) -> None:
    """Refuse to start when the broker or controller port is taken, naming the setting to change."""
    if dev.broker_port == dev.controller_port:
        raise ConfigurationError(
            f"the broker and controller ports are both {dev.broker_port}; set "
            "LIENTHONG_DEV__BROKER_PORT and LIENTHONG_DEV__CONTROLLER_PORT to two different ports"
        )
    wanted = (
        ("broker", dev.broker_port, "LIENTHONG_DEV__BROKER_PORT"),
        ("controller", dev.controller_port, "LIENTHONG_DEV__CONTROLLER_PORT"),
    )
    for role, port, env_var in wanted:
        if not port_is_free(dev.host, port):
            hint = (
                " (and point LIENTHONG_KAFKA__BOOTSTRAP_SERVERS at it)" if role == "broker" else ""
            )
            raise ConfigurationError(
                f"port {port} on {dev.host}, wanted by the development broker's {role} "
                "listener, is already in use by another program; stop that program or choose "
                f"a free port with {env_var}=<port>{hint}"
            )


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
