"""Start, inspect and stop the single-node development broker of one home directory."""

import asyncio

import structlog

from lienthong.devkafka.config import advertised_host, render_server_properties, write_config
from lienthong.devkafka.jars import read_manifest, resolve_jars
from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.models import BrokerInfo, BrokerSecurity, BrokerStatus
from lienthong.devkafka.ports import ensure_ports_free
from lienthong.devkafka.probe import broker_answers
from lienthong.devkafka.process import (
    find_broker_pid,
    is_broker_process,
    launch_broker,
    log_tail,
    terminate_broker,
)
from lienthong.devkafka.security import admin_kafka_settings, prepare_security
from lienthong.devkafka.storage import format_storage
from lienthong.devkafka.tools import find_java
from lienthong.errors import ConfigurationError
from lienthong.settings import KafkaSettings, Settings

__all__ = ["broker_status", "start_broker", "stop_broker"]

_POLL_S = 0.25

log = structlog.get_logger(__name__)


async def start_broker(settings: Settings) -> BrokerInfo:
    """Boot the broker and return once it answers; a no-op when it already runs."""
    dev = settings.dev
    layout = BrokerLayout.from_settings(settings)
    java = find_java()
    security = prepare_security(settings, layout) if dev.secure else None
    running = find_broker_pid(layout)
    if running is not None:
        _ensure_same_config(settings, layout, running, security)
        layout.pid_file.write_text(f"{running}\n", encoding="ascii")
        await _wait_until_answering(running, settings, layout, security, launched=False)
        log.info("devkafka.broker.already_running", pid=running, home=str(layout.home))
        return _info(running, settings, layout, security, already_running=True)
    ensure_ports_free(dev)
    resolved = await asyncio.to_thread(resolve_jars, dev, layout.libs_dir)
    write_config(dev, layout, security)
    formatted = await asyncio.to_thread(format_storage, java, layout, security)
    pid = launch_broker(java, dev.heap, layout)
    log.info("devkafka.broker.launched", pid=pid, home=str(layout.home), secure=dev.secure)
    try:
        await _wait_until_answering(pid, settings, layout, security, launched=True)
    except BaseException:
        await asyncio.to_thread(terminate_broker, pid, layout, 5.0)
        layout.pid_file.unlink(missing_ok=True)
        raise
    log.info("devkafka.broker.started", pid=pid, bootstrap_servers=_bootstrap(settings))
    return _info(
        pid, settings, layout, security, resolved_jars=resolved, formatted_storage=formatted
    )


def stop_broker(settings: Settings, grace_s: float = 30.0) -> bool:
    """Stop this home's broker (SIGTERM, then SIGKILL after `grace_s`); False when none ran."""
    layout = BrokerLayout.from_settings(settings)
    stopped = False
    while (pid := find_broker_pid(layout)) is not None:
        log.info("devkafka.broker.stopping", pid=pid, home=str(layout.home))
        terminate_broker(pid, layout, grace_s)
        stopped = True
    layout.pid_file.unlink(missing_ok=True)
    return stopped


async def broker_status(settings: Settings) -> BrokerStatus:
    dev = settings.dev
    layout = BrokerLayout.from_settings(settings)
    pid = find_broker_pid(layout)
    security = prepare_security(settings, layout) if dev.secure and pid is not None else None
    answering = pid is not None and await broker_answers(_probe_settings(settings, security))
    manifest = read_manifest(layout.libs_dir)
    return BrokerStatus(
        running=pid is not None,
        answering=answering,
        pid=pid,
        bootstrap_servers=_bootstrap(settings),
        broker_port=dev.broker_port,
        controller_port=dev.controller_port,
        kafka_version=manifest.kafka_version if manifest is not None else dev.kafka_version,
        home=layout.home,
        data_dir=layout.data_dir,
        log_file=layout.server_log,
        secure=dev.secure,
    )


def _probe_settings(settings: Settings, security: BrokerSecurity | None) -> KafkaSettings:
    if security is not None:
        return admin_kafka_settings(settings, security)
    return KafkaSettings(bootstrap_servers=_bootstrap(settings))


def _ensure_same_config(
    settings: Settings, layout: BrokerLayout, pid: int, security: BrokerSecurity | None
) -> None:
    try:
        current = layout.server_properties.read_text(encoding="utf-8")
    except OSError:
        current = ""
    if current != render_server_properties(settings.dev, layout, security):
        raise ConfigurationError(
            f"the broker of {layout.home} (pid {pid}) runs with other settings (ports, host "
            "or secure mode) than the current ones; stop it with `lienthong dev down` and "
            "start it again"
        )


async def _wait_until_answering(
    pid: int,
    settings: Settings,
    layout: BrokerLayout,
    security: BrokerSecurity | None,
    *,
    launched: bool,
) -> None:
    dev = settings.dev
    probe = _probe_settings(settings, security)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + dev.start_timeout_s
    while not await broker_answers(probe):
        if not is_broker_process(pid, layout):
            raise ConfigurationError(
                f"the broker (pid {pid}) exited while starting; its logs end with:\n"
                f"{log_tail(layout)}"
            )
        if loop.time() >= deadline:
            advice = "" if launched else "; stop it with `lienthong dev down` and start again"
            raise ConfigurationError(
                f"the broker (pid {pid}) did not answer on {_bootstrap(settings)} within "
                f"{dev.start_timeout_s:.0f}s (LIENTHONG_DEV__START_TIMEOUT_S){advice}; "
                f"its logs end with:\n{log_tail(layout)}"
            )
        await asyncio.sleep(_POLL_S)


def _bootstrap(settings: Settings) -> str:
    return f"{advertised_host(settings.dev)}:{settings.dev.broker_port}"


def _info(
    pid: int,
    settings: Settings,
    layout: BrokerLayout,
    security: BrokerSecurity | None,
    *,
    already_running: bool = False,
    resolved_jars: bool = False,
    formatted_storage: bool = False,
) -> BrokerInfo:
    manifest = read_manifest(layout.libs_dir)
    return BrokerInfo(
        pid=pid,
        bootstrap_servers=_bootstrap(settings),
        kafka_version=manifest.kafka_version if manifest else settings.dev.kafka_version,
        home=layout.home,
        data_dir=layout.data_dir,
        log_file=layout.server_log,
        already_running=already_running,
        resolved_jars=resolved_jars,
        formatted_storage=formatted_storage,
        security=security,
    )
