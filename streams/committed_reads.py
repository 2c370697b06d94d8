"""The centre's faust app reads committed records only.

faust's aiokafka driver reads `read_uncommitted` unless the app runs faust's own exactly-once
transactions, which stay off here (streams.app says why). The connectors publish in Kafka
transactions, so an uncommitted read would hand the centre the records of transactions still
open or later aborted: a connector killed mid-batch, a push request answered with an error
after its batch failed. Their source never confirmed those changes. `CentreApp` is faust's
App with the driver's consumer set to `read_committed`, nothing else changed.
"""

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver

__all__ = ["CentreApp"]

READ_COMMITTED = "read_committed"


class _ReadCommittedThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands the level to its fetcher when the consumer starts, which is later.
        consumer._isolation_level = READ_COMMITTED
        return consumer


class _ReadCommittedConsumer(driver.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _ReadCommittedThread(self, loop=self.loop, beacon=self.beacon)


class _ReadCommittedTransport(driver.Transport):
    Consumer = _ReadCommittedConsumer


class CentreApp(faust.App):
    """A faust.App whose consumer reads only records of committed transactions."""

    def _new_transport(self) -> Any:
        return _ReadCommittedTransport(self.conf.broker_consumer, self)
