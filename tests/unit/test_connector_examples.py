"""The connectors files shipped in connectors/examples/ are valid as shipped: every entry
loads, and builds the source of its kind, with its ${VARIABLES} set. Nothing connects."""

import pytest

from connectors.kinds import KINDS, source_for
from connectors.land import parcels_options
from connectors.motcua.outbox import motcua_outbox_options
from connectors.spec import load_connectors
from lienthong.demo.connectors_file import demo_connectors_path
from lienthong.demo.departments import LandRegister, OneStopShop
from lienthong.demo.edoc_agencies import EdocAgencies
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from tests.conftest import REPO_ROOT

PROVINCE = REPO_ROOT / "connectors" / "examples" / "province.yaml"
PROVINCE_VARIABLES = {
    "MOTCUA_DB_DSN": "mysql+pymysql://connect:secret@127.0.0.1/motcua",
    "CONSTRUCTION_DB_DSN": "postgresql://connect:secret@127.0.0.1/permits",
    "LAND_DB_DSN": "postgresql://reader:secret@127.0.0.1/vbdlis",
    "COMMUNE_LAND_DSN": "postgresql://cdc:secret@127.0.0.1/diachinh",
    "COMMUNE_12_TOKEN": "a-long-random-token",
    "IDEMPOTENCY_DSN": "postgresql://api:secret@127.0.0.1/idempotency",
    "EDOC_INBOX": "/srv/edxml/inbox",
    "EDOC_ATTACHMENTS": "/srv/edxml/attachments",
}
DEMO_VARIABLES = {
    "MOTCUA_DB_DSN": "sqlite:///var/source/motcua.db",
    "EDOC_INBOX": "var/source/edoc/inbox",
    "LAND_DB_DSN": "sqlite:///var/source/land.db",
}


def test_the_province_example_has_one_valid_connector_of_each_kind() -> None:
    specs = load_connectors(PROVINCE, PROVINCE_VARIABLES).connectors

    sources = [source_for(spec, Settings()) for spec in specs]

    assert sorted(spec.kind for spec in specs) == sorted([*KINDS, "outbox"])
    assert [source.kind for source in sources] == [spec.kind for spec in specs]
    formats = {spec.options.get("payload_format") for spec in specs if spec.kind == "outbox"}
    assert formats == {"motcua", "canonical"}


@pytest.mark.parametrize("unset", sorted(PROVINCE_VARIABLES))
def test_the_province_example_needs_each_of_its_variables(unset: str) -> None:
    others = {name: value for name, value in PROVINCE_VARIABLES.items() if name != unset}

    with pytest.raises(ConfigurationError, match=rf"uses \$\{{{unset}\}}, which is not set"):
        load_connectors(PROVINCE, others)


def test_the_demo_file_has_a_valid_connector_for_each_department() -> None:
    specs = load_connectors(demo_connectors_path(), DEMO_VARIABLES).connectors

    kinds = {spec.name: source_for(spec, Settings()).kind for spec in specs}

    assert kinds == {
        OneStopShop.connector: "outbox",
        EdocAgencies.connector: "edxml_folder",
        LandRegister.connector: "polling",
    }


def test_the_demo_reads_the_one_stop_shop_and_the_land_register_as_their_modules_say() -> None:
    specs = {s.name: s for s in load_connectors(demo_connectors_path(), DEMO_VARIABLES).connectors}
    motcua, land = specs[OneStopShop.connector], specs[LandRegister.connector]

    assert motcua.options == motcua_outbox_options(
        DEMO_VARIABLES["MOTCUA_DB_DSN"], poll_interval_s=motcua.options["poll_interval_s"]
    )
    timings = {name: land.options[name] for name in ("delay_s", "poll_interval_s")}
    expected = parcels_options(DEMO_VARIABLES["LAND_DB_DSN"], **timings)
    assert {**land.options, "query": None} == {**expected, "query": None}
    assert land.options["query"].split() == expected["query"].split()


def test_the_province_land_register_names_each_parcels_code_list_as_the_demo_does() -> None:
    specs = {s.name: s for s in load_connectors(PROVINCE, PROVINCE_VARIABLES).connectors}
    land = specs["land-register"]

    timings = {name: land.options[name] for name in ("delay_s", "poll_interval_s")}
    expected = parcels_options(PROVINCE_VARIABLES["LAND_DB_DSN"], **timings)
    assert {**land.options, "query": None} == {**expected, "query": None}
    assert land.options["query"].split() == expected["query"].split()
    cdc = specs["commune-land-cdc"].options["tables"][0]
    assert (cdc["admin_unit_column"], cdc["admin_code_list_column"]) == (
        "commune_code",
        "code_list",
    )
