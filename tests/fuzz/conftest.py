"""Hypothesis settings of the fuzz tests: reproducible in CI (derandomized, no example
database written into the tree), bounded in time; LIENTHONG_FUZZ_EXAMPLES runs more."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "lienthong-fuzz",
    derandomize=True,
    database=None,
    deadline=None,  # a busy shared machine; hangs are caught by pytest-timeout instead
    max_examples=int(os.environ.get("LIENTHONG_FUZZ_EXAMPLES", "300")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("lienthong-fuzz")
