"""KRaft storage: formatted once with a fresh cluster id, left alone afterwards."""

import base64
import subprocess
import tempfile
import uuid
from pathlib import Path

import structlog

from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.models import BrokerSecurity
from lienthong.devkafka.tls import write_private
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


def format_storage(
    java: Path, layout: BrokerLayout, security: BrokerSecurity | None = None
) -> bool:
    """Format the data dir as a standalone KRaft quorum; False when it already was.

    In secure mode the admin's SCRAM credential is part of the bootstrap metadata. The
    tool's arguments then go through a java argument file (0600, deleted after), so the
    password never shows on a command line.
    """
    if layout.meta_properties.is_file():
        return False
    cluster_id = new_cluster_id()
    arguments = [
        *layout.java_options(),
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "--cluster-id",
        cluster_id,
        "--config",
        str(layout.server_properties),
    ]
    with tempfile.TemporaryDirectory(prefix="lienthong-storage-") as work:
        if security is None:
            command = [str(java), *arguments]
        else:
            password = security.admin_password.get_secret_value()
            scram = f"SCRAM-SHA-512=[name={security.admin_username},password={password}]"
            argfile = Path(work) / "format.args"
            quoted = "\n".join(f'"{argument}"' for argument in [*arguments, "--add-scram", scram])
            write_private(argfile, quoted.encode("utf-8"))
            command = [str(java), f"@{argfile}"]
        done = _run_format(command, layout)
    if done.returncode != 0:
        raise ConfigurationError(
            f"could not format the broker storage in {layout.data_dir}; if it holds data from "
            "another broker, remove that directory. Kafka's storage tool said:\n"
            f"{output_tail(done.stdout + done.stderr)}"
        )
    log.info("devkafka.storage.formatted", data_dir=str(layout.data_dir), cluster_id=cluster_id)
    return True


def _run_format(command: list[str], layout: BrokerLayout) -> "subprocess.CompletedProcess[str]":
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
    return done
