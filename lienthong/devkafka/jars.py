"""The broker's jars: resolved once from Maven Central, reused while the versions match.

A manifest next to the jars records the versions and the POM they were resolved for, so a
second `dev up` with the same settings never starts Maven, and a changed POM resolves again.
"""

import fcntl
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

import structlog

from lienthong.devkafka.tools import find_maven, output_tail
from lienthong.errors import ConfigurationError
from lienthong.settings import DevKafkaSettings

__all__ = ["MANIFEST_NAME", "JarManifest", "read_manifest", "resolve_jars"]

MANIFEST_NAME = "manifest.json"
_LOCK_NAME = ".resolve.lock"
_MAVEN_TIMEOUT_S = 900.0

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class JarManifest:
    kafka_version: str
    scala_version: str
    log4j_version: str
    jars: tuple[str, ...] = ()
    pom_sha256: str = ""
    """Digest of the POM resolved; an older manifest without one resolves again."""

    @classmethod
    def wanted_by(cls, dev: DevKafkaSettings) -> "JarManifest":
        pom_sha256 = hashlib.sha256(_pom_text().encode("utf-8")).hexdigest()
        return cls(dev.kafka_version, dev.scala_version, dev.log4j_version, pom_sha256=pom_sha256)

    def same_versions(self, other: "JarManifest") -> bool:
        return (self.kafka_version, self.scala_version, self.log4j_version, self.pom_sha256) == (
            other.kafka_version,
            other.scala_version,
            other.log4j_version,
            other.pom_sha256,
        )


def read_manifest(libs_dir: Path) -> JarManifest | None:
    """The manifest of the jars in `libs_dir`, or None when absent or unreadable."""
    try:
        raw = json.loads((libs_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return JarManifest(
            kafka_version=str(raw["kafka_version"]),
            scala_version=str(raw["scala_version"]),
            log4j_version=str(raw["log4j_version"]),
            jars=tuple(str(jar) for jar in raw["jars"]),
            pom_sha256=str(raw.get("pom_sha256", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_complete(libs_dir: Path, wanted: JarManifest) -> bool:
    found = read_manifest(libs_dir)
    return (
        found is not None
        and found.same_versions(wanted)
        and bool(found.jars)
        and all((libs_dir / jar).is_file() for jar in found.jars)
    )


def resolve_jars(dev: DevKafkaSettings, libs_dir: Path) -> bool:
    """Make `libs_dir` hold the jars `dev` asks for; True when Maven had to run."""
    wanted = JarManifest.wanted_by(dev)
    if _is_complete(libs_dir, wanted):
        return False
    mvn = find_maven()  # before anything is cleared: a missing Maven must not cost the old jars
    libs_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(libs_dir / _LOCK_NAME):
        if _is_complete(libs_dir, wanted):  # another process resolved while we waited
            return False
        for stale in libs_dir.glob("*.jar"):
            stale.unlink()
        _run_maven(mvn, wanted, libs_dir)
        jars = tuple(sorted(jar.name for jar in libs_dir.glob("*.jar")))
        _write_manifest(libs_dir, replace(wanted, jars=jars))
    log.info("devkafka.jars.resolved", libs_dir=str(libs_dir), jars=len(jars))
    return True


def _pom_text() -> str:
    return resources.files("lienthong.devkafka").joinpath("pom.xml").read_text(encoding="utf-8")


def _run_maven(mvn: Path, wanted: JarManifest, libs_dir: Path) -> None:
    pom = _pom_text()
    log.info("devkafka.jars.resolving", kafka_version=wanted.kafka_version, libs_dir=str(libs_dir))
    with tempfile.TemporaryDirectory(prefix="lienthong-devkafka-") as work:
        (Path(work) / "pom.xml").write_text(pom, encoding="utf-8")
        command = [
            str(mvn),
            "-q",
            "-B",
            "-Dstyle.color=never",
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs_dir}",
            f"-Dkafka.version={wanted.kafka_version}",
            f"-Dscala.version={wanted.scala_version}",
            f"-Dlog4j.version={wanted.log4j_version}",
        ]
        try:
            done = subprocess.run(
                command,
                cwd=work,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=_MAVEN_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ConfigurationError(
                f"Maven did not resolve the Kafka {wanted.kafka_version} jars within "
                f"{_MAVEN_TIMEOUT_S:.0f}s; check network access to Maven Central "
                "(or a mirror/proxy in ~/.m2/settings.xml)"
            ) from exc
    if done.returncode != 0 or not any(libs_dir.glob("*.jar")):
        raise ConfigurationError(
            f"Maven could not resolve Kafka {wanted.kafka_version} "
            f"(kafka_{wanted.scala_version}, log4j {wanted.log4j_version}); check "
            "LIENTHONG_DEV__KAFKA_VERSION, LIENTHONG_DEV__SCALA_VERSION and "
            "LIENTHONG_DEV__LOG4J_VERSION, and network access to Maven Central. "
            f"Maven said:\n{output_tail(done.stdout + done.stderr)}"
        )


def _write_manifest(libs_dir: Path, manifest: JarManifest) -> None:
    target = libs_dir / MANIFEST_NAME
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, target)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock so two processes never resolve into one directory at once."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
