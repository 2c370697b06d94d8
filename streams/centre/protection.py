"""The centre's data protection travels with its engine.

`open_centre(settings)` loads the privacy policy and its key (lienthong.privacy) and binds
them to the engine it returns, and `write_batch` takes them from the connection it writes
with. So every writer that opens the centre from settings (the worker, the demo, the bench)
stores only what the policy allows, and no writer can forget to: an engine with no policy
bound is refused.
"""

from typing import Final

from sqlalchemy import Connection, Engine

from lienthong.errors import ConfigurationError
from lienthong.privacy import DataProtection

__all__ = ["bind_protection", "protection_of"]

_OPTION: Final = "lienthong_data_protection"


def bind_protection(engine: Engine, protection: DataProtection) -> Engine:
    """An engine sharing `engine`'s pool whose connections carry `protection`."""
    return engine.execution_options(**{_OPTION: protection})


def protection_of(conn: Connection) -> DataProtection:
    protection = conn.get_execution_options().get(_OPTION)
    if not isinstance(protection, DataProtection):
        raise ConfigurationError(
            "the centre was opened without its privacy policy: open it with open_centre(settings)"
        )
    return protection
