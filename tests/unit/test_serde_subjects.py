"""Subject names as Confluent's serializers derive them."""

import pytest

from lienthong.ids import TopicName
from lienthong.serde import MessageField, subject_name
from lienthong.settings import RegistrySettings, SubjectNameStrategy

TOPIC = TopicName("motcua.dossiers")
RECORD = "vn.lienthong.motcua.DossierChange"


@pytest.mark.parametrize(
    ("strategy", "field", "expected"),
    [
        (SubjectNameStrategy.TOPIC_NAME, MessageField.VALUE, "motcua.dossiers-value"),
        (SubjectNameStrategy.TOPIC_NAME, MessageField.KEY, "motcua.dossiers-key"),
        (SubjectNameStrategy.RECORD_NAME, MessageField.VALUE, RECORD),
        (SubjectNameStrategy.RECORD_NAME, MessageField.KEY, RECORD),
        (
            SubjectNameStrategy.TOPIC_RECORD_NAME,
            MessageField.VALUE,
            "motcua.dossiers-vn.lienthong.motcua.DossierChange",
        ),
    ],
)
def test_each_strategy_names_the_subject(
    strategy: SubjectNameStrategy, field: MessageField, expected: str
) -> None:
    assert subject_name(strategy, TOPIC, RECORD, field) == expected


def test_the_default_strategy_is_topic_name_for_values() -> None:
    strategy = RegistrySettings().subject_strategy
    assert subject_name(strategy, TOPIC, RECORD) == "motcua.dossiers-value"
