"""The development broker's configuration, port checks and tool checks, without starting Kafka."""

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from lienthong.devkafka import (
    BrokerLayout,
    ensure_ports_free,
    find_free_port,
    render_server_properties,
    resolve_jars,
    start_broker,
    stop_broker,
)
from lienthong.devkafka.jars import JarManifest
from lienthong.devkafka.storage import new_cluster_id
from lienthong.devkafka.tools import find_java, find_maven
from lienthong.errors import ConfigurationError
from lienthong.settings import DevKafkaSettings, Settings


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def _rendered(settings: Settings) -> dict[str, str]:
    return _properties(render_server_properties(settings.dev, BrokerLayout.from_settings(settings)))


def _settings(home: Path, **dev: object) -> Settings:
    return Settings(dev=DevKafkaSettings.model_validate({"home": home, **dev}))


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    """A port on 127.0.0.1 taken by someone who is not our broker."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH holds one empty directory: neither java nor mvn can be found."""
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))


def test_server_properties_honour_ports_and_paths(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "kafka", broker_port=29092, controller_port=29093)
    layout = BrokerLayout.from_settings(settings)

    props = _properties(render_server_properties(settings.dev, layout))

    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    assert props["advertised.listeners"].startswith("PLAINTEXT://127.0.0.1:29092")
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:29093"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str((tmp_path / "kafka" / "data").resolve())


def test_server_properties_fit_a_single_transactional_node(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    props = _rendered(settings)

    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "3"


def test_wildcard_listener_advertises_loopback(tmp_path: Path) -> None:
    settings = _settings(tmp_path, host="0.0.0.0", broker_port=29092, controller_port=29093)
    props = _rendered(settings)

    assert props["listeners"] == "PLAINTEXT://0.0.0.0:29092,CONTROLLER://0.0.0.0:29093"
    assert props["advertised.listeners"] == (
        "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    )


def test_libs_dir_defaults_under_home_and_can_be_shared(tmp_path: Path) -> None:
    own = BrokerLayout.from_settings(_settings(tmp_path / "a"))
    shared = BrokerLayout.from_settings(_settings(tmp_path / "b", libs_dir=tmp_path / "jars"))

    assert own.libs_dir == (tmp_path / "a" / "libs").resolve()
    assert shared.libs_dir == (tmp_path / "jars").resolve()
    assert shared.data_dir == (tmp_path / "b" / "data").resolve()


def test_taken_broker_port_names_its_env_var(listening_socket: socket.socket) -> None:
    taken = listening_socket.getsockname()[1]
    dev = DevKafkaSettings(broker_port=taken, controller_port=find_free_port())

    with pytest.raises(ConfigurationError, match="LIENTHONG_DEV__BROKER_PORT") as caught:
        ensure_ports_free(dev)
    assert str(taken) in str(caught.value)


def test_taken_controller_port_names_its_env_var(listening_socket: socket.socket) -> None:
    taken = listening_socket.getsockname()[1]
    dev = DevKafkaSettings(broker_port=find_free_port(), controller_port=taken)

    with pytest.raises(ConfigurationError, match="LIENTHONG_DEV__CONTROLLER_PORT"):
        ensure_ports_free(dev)


def test_free_ports_pass() -> None:
    broker_port = find_free_port()
    controller_port = next(port for port in iter(find_free_port, None) if port != broker_port)
    ensure_ports_free(DevKafkaSettings(broker_port=broker_port, controller_port=controller_port))


def test_one_port_for_both_listeners_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="two different ports"):
        ensure_ports_free(DevKafkaSettings(broker_port=29092, controller_port=29092))


@pytest.mark.usefixtures("empty_path")
def test_missing_java_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="`java` was not found on PATH"):
        find_java()


@pytest.mark.usefixtures("empty_path")
async def test_start_without_java_fails_before_touching_anything(tmp_path: Path) -> None:
    home = tmp_path / "kafka"
    with pytest.raises(ConfigurationError, match="java"):
        await start_broker(_settings(home, broker_port=29092, controller_port=29093))
    assert not home.exists()


@pytest.mark.usefixtures("empty_path")
def test_missing_maven_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="`mvn` was not found on PATH"):
        find_maven()
    with pytest.raises(ConfigurationError, match="mvn"):
        resolve_jars(DevKafkaSettings(), tmp_path / "libs")


def _fake_cache(libs: Path, dev: DevKafkaSettings) -> None:
    libs.mkdir(parents=True)
    jars = [f"kafka_{dev.scala_version}-{dev.kafka_version}.jar", "kafka-clients.jar"]
    for jar in jars:
        (libs / jar).write_bytes(b"")
    manifest = {
        "kafka_version": dev.kafka_version,
        "scala_version": dev.scala_version,
        "log4j_version": dev.log4j_version,
        "jars": jars,
        "pom_sha256": JarManifest.wanted_by(dev).pom_sha256,
    }
    (libs / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.usefixtures("empty_path")
def test_matching_manifest_skips_maven(tmp_path: Path) -> None:
    dev = DevKafkaSettings()
    _fake_cache(tmp_path / "libs", dev)

    assert resolve_jars(dev, tmp_path / "libs") is False


@pytest.mark.usefixtures("empty_path")
def test_other_versions_or_missing_jars_need_maven(tmp_path: Path) -> None:
    dev = DevKafkaSettings()
    _fake_cache(tmp_path / "libs", dev)

    with pytest.raises(ConfigurationError, match="mvn"):
        resolve_jars(dev.model_copy(update={"kafka_version": "4.1.0"}), tmp_path / "libs")
    (tmp_path / "libs" / "kafka-clients.jar").unlink()
    with pytest.raises(ConfigurationError, match="mvn"):
        resolve_jars(dev, tmp_path / "libs")


def test_cluster_ids_look_like_kafkas() -> None:
    for _ in range(200):
        cluster_id = new_cluster_id()
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert set(cluster_id) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_stale_pid_file_is_cleared_without_signalling_anyone(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "kafka")
    layout = BrokerLayout.from_settings(settings)
    layout.home.mkdir(parents=True)
    layout.pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")  # alive, but not a broker

    assert stop_broker(settings) is False
    assert not layout.pid_file.exists()
