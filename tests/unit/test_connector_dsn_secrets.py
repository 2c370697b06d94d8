"""A department database's DSN that cannot be used is named in the error with its password
masked: SQLAlchemy's own message would quote it whole."""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from connectors.outbox.database import outbox_engine
from connectors.polling.database import polling_engine
from lienthong.errors import ConfigurationError

PASSWORD = "Mk-9f2e-s3cret"
NOT_A_URL = f"postgresql//reader:{PASSWORD}@db.so-tnmt.local/land"


@pytest.mark.parametrize(
    ("engine_for", "said"),
    [
        (outbox_engine, "outbox dsn postgresql//reader:***@db.so-tnmt.local/land is not"),
        (polling_engine, "dsn must be a URL such as postgresql://user@host/db"),
    ],
)
def test_an_unusable_dsn_is_named_without_its_password(
    engine_for: Callable[[str], Engine], said: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        engine_for(NOT_A_URL)
    message = str(refused.value)
    assert PASSWORD not in message and said in message
