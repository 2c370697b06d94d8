"""The suite's proof that no citizen id reaches a log in clear.

Collects what every test printed or logged (its report's captured stdout, stderr and log
sections, kept for passing tests too) and, at the end of the session, reads every log file
the test processes wrote under pytest's base temporary directory (brokers, registries,
workers, connectors, CLI runs: `*.log`, `*.out`, `*.err`). A CCCD-shaped number
(lienthong.privacy.CITIZEN_ID) in any of them fails the session, naming where it was.

Kafka's own data segments are also named `*.log` but hold the events themselves, not
logs: they are skipped by their name (20 digits).
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from lienthong.privacy import CITIZEN_ID

__all__ = ["Finding", "findings_in_text", "log_files"]

LOG_SUFFIXES: Final = (".log", ".out", ".err")
_KAFKA_SEGMENT: Final = re.compile(r"\d{20}\.log")
_SHOWN: Final = 10


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    text: str


def findings_in_text(text: str, where: str) -> list[Finding]:
    return [
        # Shown redacted: the scan's own report must not put the id in the CI log.
        Finding(where, number, CITIZEN_ID.sub("[citizen id]", line.strip())[:160])
        for number, line in enumerate(text.splitlines(), start=1)
        if CITIZEN_ID.search(line)
    ]


def log_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in LOG_SUFFIXES
        and not _KAFKA_SEGMENT.fullmatch(path.name)
        and path.is_file()
    )


class LogPrivacyScan:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.sections = 0
        self.files = 0
        self._seen: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Each phase's report repeats the sections of the phases before it: read each once.
        for title, content in report.sections:
            where = f"{report.nodeid} [{title}]"
            if where not in self._seen:
                self._seen.add(where)
                self.sections += 1
                self.findings.extend(findings_in_text(content, where))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        root = session.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        for path in log_files(root):
            self.files += 1
            text = path.read_text(encoding="utf-8", errors="replace")
            self.findings.extend(findings_in_text(text, str(path)))
        if self.findings:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        scanned = f"{self.sections} captured sections and {self.files} log files"
        if not self.findings:
            terminalreporter.write_line(f"log privacy: no citizen id in {scanned}")
            return
        terminalreporter.section("log privacy: citizen ids in clear", red=True)
        for finding in self.findings[:_SHOWN]:
            terminalreporter.write_line(f"{finding.where}:{finding.line}: {finding.text}")
        if len(self.findings) > _SHOWN:
            terminalreporter.write_line(f"... and {len(self.findings) - _SHOWN} more")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LogPrivacyScan(), "log-privacy-scan")
