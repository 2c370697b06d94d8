"""KRaft storage: formatted once with a fresh cluster id, left alone afterwards."""

import base64
import subprocess
import uuid
from pathlib import Path

import structlog

from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.tools import output_tail
from lienthong.errors import ConfigurationError

__all__ = ["format_storage", "new_cluster_id"]

_FORMAT_TIMEOUT_S = 120.0

log = structlog.get_logger(__name__)


def new_cluster_id() -> str:
    """A Kafka cluster id: a random UUID in URL-safe base64 without padding (22 characters).

    Like Kafka's own `random-uuid`, an id starting with '-' is drawn again, since command
    lines would read it as an option.
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def format_storage(java: Path, layout: BrokerLayout) -> bool:
    """Format the data dir as a standalone KRaft quorum; False when it already was."""
    if layout.meta_properties.is_file():
        return False
    cluster_id = new_cluster_id()
    command = [
        str(java),
        *layout.java_options(),
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "--cluster-id",
        cluster_id,
        "--config",
        str(layout.server_properties),
    ]
    try:
        done = subprocess.run(
            command,
            cwd=layout.home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_FORMAT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ConfigurationError(
            f"formatting the broker storage in {layout.data_dir} took over {_FORMAT_TIMEOUT_S:.0f}s"
        ) from exc
    if done.returncode != 0:
        raise ConfigurationError(
            f"could not format the broker storage in {layout.data_dir}; if it holds data from "
            "another broker, remove that directory. Kafka's storage tool said:\n"
            f"{output_tail(done.stdout + done.stderr)}"
        )
    log.info("devkafka.storage.formatted", data_dir=str(layout.data_dir), cluster_id=cluster_id)
    return True
