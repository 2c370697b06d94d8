"""The Prometheus alert rules and scrape config under docker/prometheus, checked by promtool as
Prometheus would load them, and their unit tests (alerts.test.yml) run: every alert fires on
its input series and stays quiet on its negative case."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "docker" / "prometheus"


ANNOTATIONS = {"summary", "description", "summary_vi", "description_vi"}


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: install it with tests/support/ensure_test_tools.sh")
    return found


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def run_promtool(promtool: str, *args: str) -> str:
    result = subprocess.run(
        [promtool, *args],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_the_alert_rules_load(promtool: str) -> None:
    output = run_promtool(promtool, "check", "rules", "alerts.yml")
    assert "SUCCESS" in output


def test_the_scrape_config_loads_with_its_rules(promtool: str) -> None:
    output = run_promtool(promtool, "check", "config", "prometheus.yml")
    assert "1 rule files found" in output


def test_every_alert_fires_on_its_case_and_stays_quiet_on_the_other(promtool: str) -> None:
    run_promtool(promtool, "test", "rules", "alerts.test.yml")


def test_every_alert_has_a_severity_and_says_what_and_why_in_english_and_vietnamese() -> None:
    rules = alert_rules()
    assert len(rules) >= 5
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert set(rule["annotations"]) == ANNOTATIONS, rule["alert"]


def test_every_alert_has_a_case_that_fires_and_one_that_stays_quiet() -> None:
    document = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text(encoding="utf-8"))
    cases = [case for test in document["tests"] for case in test["alert_rule_test"]]
    fired = {case["alertname"] for case in cases if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fired == set(), "alerts never seen firing"
    assert names - quiet == set(), "alerts without a negative case"
