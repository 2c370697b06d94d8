"""The `polling` connector kind: changed rows found by timestamp and id, for systems that
cannot add an outbox."""

from connectors.polling.options import PollingOptions
from connectors.polling.position import PollPosition
from connectors.polling.source import PollingSource

__all__ = ["PollPosition", "PollingOptions", "PollingSource"]
