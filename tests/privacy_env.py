"""Privacy settings for every process the test suite starts, through the environment so
child processes inherit them: a hash key (a PostgreSQL centre requires one) and a policy
that keeps every field in clear (tests/data/privacy/all-clear.yaml), so tests written to
check that the centre holds a faithful copy still check that.

Tests of the policies themselves set `Settings.privacy` explicitly, which takes precedence.
Set from the first test on, not at collection: settings built at import time (the
expected environment of tests/unit/test_cli_env.py) stay as their module wrote them.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

__all__ = ["ALL_CLEAR", "SUITE_HASH_KEY"]

SUITE_HASH_KEY: Final = "test-suite-privacy-hash-key-0123456789abcdef"
ALL_CLEAR: Final = Path(__file__).resolve().parent / "data" / "privacy" / "all-clear.yaml"
_SUITE_VALUES: Final = {
    "LIENTHONG_PRIVACY__HASH_KEY": SUITE_HASH_KEY,
    "LIENTHONG_PRIVACY__POLICY_FILE": str(ALL_CLEAR),
}


@pytest.fixture(scope="session", autouse=True)
def suite_privacy_environment() -> Iterator[None]:
    given = {name: os.environ.get(name) for name in _SUITE_VALUES}
    for name, value in _SUITE_VALUES.items():
        os.environ.setdefault(name, value)
    yield
    for name, before in given.items():
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
