"""The Device object (3) and Connectivity Statistics (7), wired to application callbacks.

OMA LwM2M 1.1.1 Core Appendix E.4 (Device) and the registry's object 7. The values a
device measures (battery, memory, time) come from callables the application gives;
the executes a server triggers (Reboot, Factory Reset) go to the application's
handlers; the error-code list and the statistics counters are kept here. Nothing in
this module has a clock: the current time is whatever ``time_source()`` answers.
"""

from objects.base import BaseObject
from objects.errors import MethodNotAllowed, ObjectError
from objects.standard import (
    CONNECTIVITY_MONITORING,
    CONNECTIVITY_STATISTICS,
    DEVICE,
    LOCATION,
    definition,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# Device resources (Core Appendix E.4).
MANUFACTURER = 0
MODEL_NUMBER = 1
SERIAL_NUMBER = 2
FIRMWARE_VERSION = 3
REBOOT = 4
FACTORY_RESET = 5
BATTERY_LEVEL = 9
MEMORY_FREE = 10
ERROR_CODE = 11
RESET_ERROR_CODE = 12
CURRENT_TIME = 13
UTC_OFFSET = 14
TIMEZONE = 15
SUPPORTED_BINDINGS = 16
BATTERY_STATUS = 20
MEMORY_TOTAL = 21

# Error Code values (E.4, /3/0/11): 0 = no error.
NO_ERROR = 0


class DeviceObject(BaseObject):
    """Object 3, instance 0, with the application's callbacks.

    ``on_reboot`` / ``on_factory_reset``: called with no argument when a server
    executes /3/0/4 or /3/0/5 (after the 2.04 is queued, the host acts on it).
    ``time_source() -> seconds since 1970``; ``on_time_written(seconds)`` when a server
    sets /3/0/13. ``battery_level() -> 0..100``, ``battery_status() -> 0..6``,
    ``memory_free() -> KiB``, ``memory_total() -> KiB``: read at each Read.
    """

    __slots__ = ("_errors",)

    def __init__(
        self,
        manufacturer: str = "",
        model: str = "",
        serial: str = "",
        firmware_version: str = "",
        supported_bindings: str = "U",
    ) -> None:
        super().__init__(definition(DEVICE))
        values: "dict[int, Any]" = {SUPPORTED_BINDINGS: supported_bindings}
        for rid, text in ((MANUFACTURER, manufacturer), (MODEL_NUMBER, model),
                          (SERIAL_NUMBER, serial), (FIRMWARE_VERSION, firmware_version)):
            if text:
                values[rid] = text
        self._errors: "list[int]" = []
        self.on_read(ERROR_CODE, self._read_errors)
        self.on_execute(RESET_ERROR_CODE, self._reset_errors)
        self.add_instance(0, values)

    # -- callbacks ---------------------------------------------------------------

    def on_reboot(self, handler: "Callable[[], None]") -> None:
        self.on_execute(REBOOT, lambda iid, args, caller: handler())

    def on_factory_reset(self, handler: "Callable[[], None]") -> None:
        self.on_execute(FACTORY_RESET, lambda iid, args, caller: handler())

    def time_source(self, now_s: "Callable[[], int]",
                    on_time_written: "Callable[[int], None] | None" = None) -> None:
        """Current Time (/3/0/13) comes from ``now_s()``; a server's write goes to
        ``on_time_written`` (without it the write is refused with 4.05)."""
        self.on_read(CURRENT_TIME, lambda iid: now_s())

        def written(iid: int, value: "Any", caller: int) -> None:
            if on_time_written is None:
                raise MethodNotAllowed("this device does not take its time from a server")
            on_time_written(value)

        self.on_write(CURRENT_TIME, written)

    def set_utc_offset(self, offset: str, timezone: str = "") -> None:
        """UTC Offset (/3/0/14, ISO 8601 like ``+02:00``) and Timezone (/3/0/15)."""
        self.set_value(0, UTC_OFFSET, offset)
        if timezone:
            self.set_value(0, TIMEZONE, timezone)

    def battery(self, level: "Callable[[], int]",
                status: "Callable[[], int] | None" = None) -> None:
        self.on_read(BATTERY_LEVEL, lambda iid: level())
        if status is not None:
            self.on_read(BATTERY_STATUS, lambda iid: status())

    def memory(self, free_kib: "Callable[[], int]",
               total_kib: "Callable[[], int] | None" = None) -> None:
        self.on_read(MEMORY_FREE, lambda iid: free_kib())
        if total_kib is not None:
            self.on_read(MEMORY_TOTAL, lambda iid: total_kib())

    # -- error codes (E.4: a list; "0" alone when there is none) ------------------

    def add_error_code(self, code: int) -> None:
        """Report error ``code`` (1..32) until a server executes Reset Error Code."""
        if not 1 <= code <= 32:
            raise ValueError("error codes are 1..32")
        if code not in self._errors:
            self._errors.append(code)
            self.notify_changed((3, 0, ERROR_CODE))

    def error_codes(self) -> "list[int]":
        return list(self._errors) if self._errors else [NO_ERROR]

    def _read_errors(self, iid: int) -> "list[int]":
        return self.error_codes()

    def _reset_errors(self, iid: int, args: bytes, caller: int) -> None:
        self._errors = []
        self.notify_changed((3, 0, ERROR_CODE))


# Connectivity Statistics resources (object 7).
TX_DATA = 2
RX_DATA = 3
MAX_MESSAGE_SIZE = 4
AVERAGE_MESSAGE_SIZE = 5
START = 6
STOP = 7
COLLECTION_PERIOD = 8


class ConnectivityStatistics(BaseObject):
    """Object 7: the counters run between a server's Start (/7/0/6) and Stop (/7/0/7).

    The Client calls ``count(sent, received)`` with the size of every datagram of its
    sessions; Tx / Rx Data are in kilobytes (registry: "Total amount of IP data ...
    in kilobytes"). Start resets the counters (object 7 description). A Collection
    Period (/7/0/8) above 0 stops the collection by itself that many seconds after
    Start: ``deadline_ms`` is when, on the clock ``now_ms()`` the Client gives."""

    __slots__ = ("_messages", "_rx", "_tx", "collecting", "deadline_ms", "max_size", "now_ms",
                 "total_size")

    def __init__(self, now_ms: "Callable[[], int]" = lambda: 0) -> None:
        super().__init__(definition(CONNECTIVITY_STATISTICS))
        self.now_ms = now_ms
        self.deadline_ms: "int | None" = None
        self.collecting = False
        self._tx = 0
        self._rx = 0
        self._messages = 0
        self.max_size = 0
        self.total_size = 0
        self.on_execute(START, self._start)
        self.on_execute(STOP, self._stop)
        self.on_read(TX_DATA, lambda iid: self._tx // 1024)
        self.on_read(RX_DATA, lambda iid: self._rx // 1024)
        self.on_read(MAX_MESSAGE_SIZE, lambda iid: self.max_size)
        self.on_read(AVERAGE_MESSAGE_SIZE,
                     lambda iid: self.total_size // self._messages if self._messages else 0)
        self.add_instance(0)

    def count(self, sent: int = 0, received: int = 0) -> None:
        """Account one datagram's payload bytes (while collecting)."""
        if not self.collecting:
            return
        self._tx += sent
        self._rx += received
        for size in (sent, received):
            if size:
                self._messages += 1
                self.total_size += size
                if size > self.max_size:
                    self.max_size = size

    def _start(self, iid: int, args: bytes, caller: int) -> None:
        self._tx = self._rx = self._messages = self.max_size = self.total_size = 0
        self.collecting = True
        try:
            period = self.get_value(0, COLLECTION_PERIOD)
        except ObjectError:
            period = 0
        self.deadline_ms = self.now_ms() + period * 1000 if period > 0 else None

    def _stop(self, iid: int, args: bytes, caller: int) -> None:
        self.collecting = False
        self.deadline_ms = None

    def handle_timer(self, now_ms: int) -> None:
        """The Collection Period ran out: stop collecting."""
        if self.deadline_ms is not None and now_ms >= self.deadline_ms:
            self._stop(0, b"", 0)


# Connectivity Monitoring resources (object 4) and Network Bearer values.
NETWORK_BEARER = 0
AVAILABLE_BEARERS = 1
SIGNAL_STRENGTH = 2
LINK_QUALITY = 3
IP_ADDRESSES = 4
APN = 7
CELL_ID = 8
BEARER_LTE_FDD = 6
BEARER_NB_IOT = 7


class ConnectivityMonitoring(BaseObject):
    """Object 4, instance 0: the bearer the modem reports. Values that change (signal
    strength, cell id) are best given as callables: ``signal_dbm()``."""

    __slots__ = ()

    def __init__(self, bearer: int, available: "list[int]", ip_addresses: "list[str]",
                 signal_dbm: "Callable[[], int]", apn: "list[str] | None" = None) -> None:
        super().__init__(definition(CONNECTIVITY_MONITORING))
        self.on_read(SIGNAL_STRENGTH, lambda iid: signal_dbm())
        values: "dict[int, Any]" = {NETWORK_BEARER: bearer, AVAILABLE_BEARERS: list(available),
                                    IP_ADDRESSES: list(ip_addresses)}
        if apn:
            values[APN] = list(apn)
        self.add_instance(0, values)


# Location resources (object 6).
LATITUDE = 0
LONGITUDE = 1
ALTITUDE = 2
RADIUS = 3
TIMESTAMP = 5
SPEED = 6


class LocationObject(BaseObject):
    """Object 6, instance 0: the last fix, set by the application with ``set_position``
    (each change reported to the listeners, so observers hear of it)."""

    __slots__ = ()

    def __init__(self, latitude: float, longitude: float, timestamp_s: int) -> None:
        super().__init__(definition(LOCATION))
        self.add_instance(0, {LATITUDE: float(latitude), LONGITUDE: float(longitude),
                              TIMESTAMP: timestamp_s})

    def set_position(self, latitude: float, longitude: float, timestamp_s: int,
                     altitude: "float | None" = None, radius: "float | None" = None,
                     speed: "float | None" = None) -> None:
        self.set_value(0, LATITUDE, float(latitude))
        self.set_value(0, LONGITUDE, float(longitude))
        self.set_value(0, TIMESTAMP, timestamp_s)
        for rid, value in ((ALTITUDE, altitude), (RADIUS, radius), (SPEED, speed)):
            if value is not None:
                self.set_value(0, rid, float(value))
