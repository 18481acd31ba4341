"""Firmware Update (5) as a pass-through object whose state the core keeps.

OMA LwM2M 1.1.1 Core Appendix E.6 and the registry's object 5 (v1.2). The BG96
model (spec/bg96.md): the server's operations go to the firmware application — the
Package URI, a pushed Package, Update, Cancel — and the application reports back;
the State (/5/0/3) and Update Result (/5/0/5) resources and their transitions live
here, so every application gets the same, spec-shaped state machine::

    IDLE --(URI written / package write begins)--> DOWNLOADING
    DOWNLOADING --download_done(ok)--> DOWNLOADED
    DOWNLOADING --download_done(fail, result)--> IDLE, result set
    DOWNLOADED --Update executed--> UPDATING
    UPDATING --update_done(ok)--> IDLE, result 1 (success)
    UPDATING --update_done(fail, result)--> DOWNLOADED, result set
    any --empty URI or empty Package written--> IDLE, result 0
    DOWNLOADING / DOWNLOADED --Cancel executed--> IDLE, result 10 (cancelled)

Update executed in any state but DOWNLOADED is refused with 4.05 (E.6: "only
executable when the State is Downloaded"). A pushed Package (/5/0/0) is handed to the
application whole; the core then moves DOWNLOADING -> DOWNLOADED itself unless the
application's handler raised a coded error.
"""

from objects.base import BaseObject
from objects.errors import MethodNotAllowed
from objects.standard import FIRMWARE_UPDATE, definition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PACKAGE = 0
PACKAGE_URI = 1
UPDATE = 2
STATE = 3
UPDATE_RESULT = 5
PROTOCOL_SUPPORT = 8
DELIVERY_METHOD = 9
CANCEL = 10

# E.6 State values.
IDLE = 0
DOWNLOADING = 1
DOWNLOADED = 2
UPDATING = 3

STATE_NAMES = {IDLE: "Idle", DOWNLOADING: "Downloading", DOWNLOADED: "Downloaded",
               UPDATING: "Updating"}

# E.6 Update Result values.
RESULT_INITIAL = 0
RESULT_SUCCESS = 1
RESULT_NO_STORAGE = 2
RESULT_OUT_OF_MEMORY = 3
RESULT_CONNECTION_LOST = 4
RESULT_INTEGRITY_FAILED = 5
RESULT_UNSUPPORTED_PACKAGE = 6
RESULT_INVALID_URI = 7
RESULT_UPDATE_FAILED = 8
RESULT_UNSUPPORTED_PROTOCOL = 9
RESULT_CANCELLED = 10

# Delivery methods (/5/0/9): 0 pull (URI), 1 push (Package), 2 both.
DELIVERY_BOTH = 2


class FirmwareHandler:
    """What the firmware application implements; every method may raise an
    ``ObjectError`` to refuse. Defaults accept and do nothing."""

    def package_uri(self, uri: str) -> None:
        """Start downloading from ``uri`` (report with ``download_done``)."""

    def package(self, data: bytes) -> None:
        """Store a pushed package."""

    def update(self) -> None:
        """Apply the stored package (report with ``update_done``)."""

    def cancel(self) -> None:
        """Stop a download, drop the package."""


class FirmwareUpdate(BaseObject):
    """Object 5, instance 0 (see the module's state machine)."""

    __slots__ = ("handler",)

    def __init__(self, handler: "FirmwareHandler | None" = None,
                 protocols: "tuple[int, ...]" = (0, 1), delivery: int = DELIVERY_BOTH) -> None:
        super().__init__(definition(FIRMWARE_UPDATE))
        self.handler = handler if handler is not None else FirmwareHandler()
        self.add_instance(0, {
            PACKAGE_URI: "",
            STATE: IDLE,
            UPDATE_RESULT: RESULT_INITIAL,
            PROTOCOL_SUPPORT: list(protocols),
            DELIVERY_METHOD: delivery,
        })
        self.on_write(PACKAGE_URI, self._uri_written)
        self.on_write(PACKAGE, self._package_written)
        self.on_execute(UPDATE, self._update)
        self.on_execute(CANCEL, self._cancel)
        # A write-only Package is never read back: the storage holds no value for it.

    @property
    def state(self) -> int:
        return int(self.get_value(0, STATE))

    @property
    def result(self) -> int:
        return int(self.get_value(0, UPDATE_RESULT))

    def _set(self, state: int, result: "int | None" = None) -> None:
        if state != self.state:
            self.set_value(0, STATE, state)
        if result is not None and result != self.result:
            self.set_value(0, UPDATE_RESULT, result)

    # -- what the application reports ---------------------------------------------

    def download_done(self, ok: bool, result: int = RESULT_CONNECTION_LOST) -> None:
        """The download of the Package URI finished (or failed with ``result``)."""
        if self.state != DOWNLOADING:
            raise ValueError("no download is running (state %s)" % STATE_NAMES[self.state])
        if ok:
            self._set(DOWNLOADED, RESULT_INITIAL)
        else:
            self._set(IDLE, result)

    def update_done(self, ok: bool, result: int = RESULT_UPDATE_FAILED) -> None:
        """The update finished: success, or failure with ``result``."""
        if self.state != UPDATING:
            raise ValueError("no update is running (state %s)" % STATE_NAMES[self.state])
        if ok:
            self._set(IDLE, RESULT_SUCCESS)
        else:
            self._set(DOWNLOADED, result)

    # -- the server's operations --------------------------------------------------

    def _uri_written(self, iid: int, value: "Any", caller: int) -> None:
        uri = value or ""
        if not uri:
            # E.6: writing an empty URI resets the state machine.
            self.handler.cancel()
            self._after_write(IDLE, RESULT_INITIAL)
            return
        if self.state != IDLE:
            raise MethodNotAllowed("a firmware download is already %s" % STATE_NAMES[self.state])
        self.handler.package_uri(uri)
        self._after_write(DOWNLOADING, RESULT_INITIAL)

    def _package_written(self, iid: int, value: "Any", caller: int) -> None:
        if not value:
            self.handler.cancel()
            self._after_write(IDLE, RESULT_INITIAL)
            return
        if self.state != IDLE:
            raise MethodNotAllowed("a firmware download is already %s" % STATE_NAMES[self.state])
        self.handler.package(bytes(value))
        self._after_write(DOWNLOADED, RESULT_INITIAL)

    def _after_write(self, state: int, result: int) -> None:
        # The write hook runs before the value is stored; the state moves with it.
        self._set(state, result)

    def set_resource(self, iid: int, rid: int, value: "Any") -> None:
        if rid == PACKAGE:
            return  # handed to the application, not kept (it may be megabytes)
        super().set_resource(iid, rid, value)

    def _update(self, iid: int, args: bytes, caller: int) -> None:
        if self.state != DOWNLOADED:
            raise MethodNotAllowed("Update needs a downloaded package (state %s)"
                                   % STATE_NAMES[self.state])
        self.handler.update()
        # E.6 Update Result: reset to the initial value once the update is initiated.
        self._set(UPDATING, RESULT_INITIAL)

    def _cancel(self, iid: int, args: bytes, caller: int) -> None:
        if self.state not in (DOWNLOADING, DOWNLOADED):
            raise MethodNotAllowed("nothing to cancel (state %s)" % STATE_NAMES[self.state])
        self.handler.cancel()
        self._set(IDLE, RESULT_CANCELLED)
