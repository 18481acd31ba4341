"""When to send a notification: the attribute arithmetic of one observation.

OMA LwM2M 1.1.1 Core §5.1.2 and §6.4. An observation notifies when a *qualifying
change* has happened and at least ``pmin`` has passed since the last notification,
or when ``pmax`` has passed without one. Which change qualifies:

- with any of ``gt`` / ``lt`` / ``st`` set (numeric resources only): the value crossed
  ``gt`` or ``lt`` in either direction, or moved by at least ``st``, each compared
  with the last *notified* value;
- otherwise, for a resource: a value different from the last notified one;
- for an object, instance or composite observation (no single value): any change.

``epmin`` / ``epmax`` bound how often the condition is evaluated: a change reported
sooner than ``epmin`` after the previous evaluation waits for it, and a resource whose
value the application only produces on read (a reader callback) is sampled at least
every ``epmax``. ``pmax`` smaller than ``pmin`` (or zero) is ignored, as is ``epmax``
smaller than ``epmin``: such attributes cannot be honoured together.

The object is clock-free: the Client reports changes and notifications with the time,
asks ``get_timer()``, and at the deadline asks ``due(now_ms)`` what to do (evaluate,
notify, or both). Times in ms, attributes in seconds as the protocol carries them.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NOTIFY = 1  # send a notification now
EVALUATE = 2  # read the current value and report it with changed()


class NotifyTimer:
    """The notification schedule of one observation."""

    __slots__ = ("_deferred", "_last_eval_ms", "_last_sent_ms", "_last_value", "_pending",
                 "epmax_ms", "epmin_ms", "gt", "lt", "pmax_ms", "pmin_ms", "st")

    def __init__(self, attributes: "dict[str, Any]", now_ms: int, value: "Any" = None) -> None:
        """``attributes``: the effective attributes (``AttributeStore.effective``);
        the observation's first answer counts as a notification sent at ``now_ms``."""
        self.pmin_ms = 0
        self.pmax_ms: "int | None" = None
        self.epmin_ms = 0
        self.epmax_ms: "int | None" = None
        self.gt: "float | None" = None
        self.lt: "float | None" = None
        self.st: "float | None" = None
        self._last_sent_ms = now_ms
        self._last_eval_ms = now_ms
        self._last_value = value
        self._pending = False
        self._deferred: "Any" = None
        self.update_attributes(attributes)

    def update_attributes(self, attributes: "dict[str, Any]") -> None:
        """New attributes apply from now on (ETS 1.1-int-310)."""
        pmin = attributes.get("pmin") or 0
        pmax = attributes.get("pmax") or 0
        epmin = attributes.get("epmin") or 0
        epmax = attributes.get("epmax") or 0
        self.pmin_ms = int(pmin) * 1000
        self.pmax_ms = int(pmax) * 1000 if pmax and pmax >= pmin else None
        self.epmin_ms = int(epmin) * 1000
        self.epmax_ms = int(epmax) * 1000 if epmax and epmax >= epmin else None
        self.gt = attributes.get("gt")
        self.lt = attributes.get("lt")
        self.st = attributes.get("st")

    # -- what happened -----------------------------------------------------------------

    def changed(self, now_ms: int, value: "Any" = None) -> None:
        """The observed value changed (or was sampled) to ``value``; None for an
        object, instance or composite observation."""
        if self.epmin_ms and now_ms < self._last_eval_ms + self.epmin_ms:
            self._deferred = (value,)
            return
        self._evaluate(now_ms, value)

    def sent(self, now_ms: int, value: "Any" = None) -> None:
        """A notification carrying ``value`` went out at ``now_ms``."""
        self._last_sent_ms = now_ms
        self._last_value = value
        self._pending = False

    # -- the face ----------------------------------------------------------------------

    def get_timer(self) -> "int | None":
        """The next moment something may be due, or None."""
        deadlines = []
        if self._pending:
            deadlines.append(self._last_sent_ms + self.pmin_ms)
        if self.pmax_ms is not None:
            deadlines.append(self._last_sent_ms + self.pmax_ms)
        if self._deferred is not None:
            deadlines.append(self._last_eval_ms + self.epmin_ms)
        if self.epmax_ms is not None:
            deadlines.append(self._last_eval_ms + self.epmax_ms)
        return min(deadlines) if deadlines else None

    def due(self, now_ms: int) -> int:
        """What to do at ``now_ms``: a mask of NOTIFY and EVALUATE (0: nothing).

        A deferred change is evaluated here; EVALUATE asks the Client to read the value
        and report it with ``changed`` (then ask ``due`` again for NOTIFY)."""
        if self._deferred is not None and now_ms >= self._last_eval_ms + self.epmin_ms:
            (value,) = self._deferred
            self._deferred = None
            self._evaluate(now_ms, value)
        action = 0
        if self.epmax_ms is not None and now_ms >= self._last_eval_ms + self.epmax_ms:
            action |= EVALUATE
        if self._pending and now_ms >= self._last_sent_ms + self.pmin_ms:
            action |= NOTIFY
        if self.pmax_ms is not None and now_ms >= self._last_sent_ms + self.pmax_ms:
            action |= NOTIFY
        return action

    # -- internals ---------------------------------------------------------------------

    def _evaluate(self, now_ms: int, value: "Any") -> None:
        self._last_eval_ms = now_ms
        if self._qualifies(value):
            self._pending = True

    def _qualifies(self, value: "Any") -> bool:
        last = self._last_value
        if value is None:
            return True  # an aggregate changed somewhere beneath it
        conditions = self.gt is not None or self.lt is not None or self.st is not None
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not conditions or not numeric:
            return bool(value != last)
        if not isinstance(last, (int, float)) or isinstance(last, bool):
            return True
        if self.gt is not None and (last > self.gt) != (value > self.gt):
            return True
        if self.lt is not None and (last < self.lt) != (value < self.lt):
            return True
        return self.st is not None and abs(value - last) >= self.st
