"""connectors.yaml: what an operator writes, and the errors that tell them what to fix."""

from pathlib import Path

import pytest

from connectors.spec import TextEncoding, load_connectors
from lienthong.errors import ConfigurationError
from lienthong.events import AdminCodeList

GOOD = """
defaults:
  agency: 000.00.00.G12
  system: vbdlis
connectors:
  - name: land-outbox
    kind: outbox
    domains: [land_parcels]
    options: {dsn: "${LAND_DSN}"}
  - name: land-legacy
    kind: polling
    agency: 000.00.12.H41
    domains: [land_parcels]
    code_list: VN2004
    text_encoding: tcvn3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connectors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_under_each_connector_and_variables_come_from_the_environment(
    tmp_path: Path,
) -> None:
    loaded = load_connectors(write(tmp_path, GOOD), {"LAND_DSN": "sqlite:///land.db"})
    outbox, legacy = loaded.connectors
    assert (outbox.agency, outbox.system, outbox.options) == (
        "000.00.00.G12",
        "vbdlis",
        {"dsn": "sqlite:///land.db"},
    )
    assert legacy.agency == "000.00.12.H41", "an entry's own value wins over the defaults"
    assert legacy.code_list is AdminCodeList.VN2004
    assert legacy.text_encoding is TextEncoding.TCVN3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD, "uses ${LAND_DSN}, which is not set"),
        ("connectors: [", "is not valid YAML"),
        ("- just a list", "must hold a mapping"),
        (GOOD.replace("land_parcels]\n    options", "parcels]\n    options"), "unknown domain"),
        (GOOD.replace("land-legacy", "land-outbox"), "is used twice"),
        (GOOD.replace("kind: polling", "kind: polling\n    colour: red"), "colour"),
        (GOOD.replace("name: land-legacy", "name: Land Legacy"), "connectors.1.name"),
    ],
)
def test_a_bad_file_is_a_configuration_error_naming_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    environ = {} if "not set" in message else {"LAND_DSN": "sqlite:///land.db"}
    with pytest.raises(ConfigurationError, match=message.replace("$", r"\$").replace("[", r"\[")):
        load_connectors(write(tmp_path, text), environ)


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_connectors(tmp_path / "absent.yaml", {})
