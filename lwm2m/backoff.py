"""Exponential back-off: the BG96's retry rule for bearers, registration and bootstrap.

spec/bg96.md "Retries": wait ``first``, then multiply by ``exponent`` per retry, capped,
for at most ``max_attempts`` attempts (None: keep trying). Times in ms.
"""


class Backoff:
    """How long to wait after the n-th consecutive failure, and when to give up."""

    __slots__ = ("cap_ms", "exponent", "first_ms", "max_attempts")

    def __init__(
        self, first_ms: int, exponent: int, cap_ms: int, max_attempts: "int | None" = None
    ) -> None:
        if first_ms <= 0 or exponent < 1 or cap_ms < first_ms:
            raise ValueError("back-off needs first > 0, exponent >= 1 and cap >= first")
        if max_attempts is not None and max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (or None: keep trying)")
        self.first_ms = first_ms
        self.exponent = exponent
        self.cap_ms = cap_ms
        self.max_attempts = max_attempts

    def delay_ms(self, failures: int) -> int:
        """Wait after ``failures`` (>= 1) consecutive failures."""
        delay = self.first_ms
        for _ in range(failures - 1):
            delay *= self.exponent
            if delay >= self.cap_ms:
                return self.cap_ms
        return delay

    def exhausted(self, failures: int) -> bool:
        """True when ``failures`` attempts have failed and no more may be made."""
        return self.max_attempts is not None and failures >= self.max_attempts

    def __repr__(self) -> str:
        return "Backoff(%d, %d, %d, %r)" % (
            self.first_ms, self.exponent, self.cap_ms, self.max_attempts)
