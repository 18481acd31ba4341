"""Transmission parameters (RFC 7252 §4.8) and the values derived from them (§4.8.2).

All times are integer milliseconds. The defaults are the RFC's; every one can be
tuned, and the derived values follow.
"""


class TransmissionParams:
    """RFC 7252 §4.8 parameters. Derived values are properties, so they track tuning."""

    __slots__ = (
        "ack_random_factor",
        "ack_timeout_ms",
        "default_leisure_ms",
        "max_latency_ms",
        "max_retransmit",
        "nstart",
        "probing_rate_bps",
    )

    def __init__(
        self,
        ack_timeout_ms: int = 2000,
        ack_random_factor: float = 1.5,
        max_retransmit: int = 4,
        nstart: int = 1,
        default_leisure_ms: int = 5000,
        probing_rate_bps: int = 1,
        max_latency_ms: int = 100000,
    ) -> None:
        if ack_timeout_ms <= 0 or ack_random_factor < 1 or max_retransmit < 0 or nstart < 1:
            raise ValueError("ack_timeout_ms > 0, ack_random_factor >= 1, max_retransmit >= 0, "
                             "nstart >= 1")
        self.ack_timeout_ms = ack_timeout_ms
        self.ack_random_factor = ack_random_factor
        self.max_retransmit = max_retransmit
        self.nstart = nstart
        self.default_leisure_ms = default_leisure_ms
        self.probing_rate_bps = probing_rate_bps
        self.max_latency_ms = max_latency_ms

    @property
    def processing_delay_ms(self) -> int:
        """RFC 7252 §4.8.2: PROCESSING_DELAY is ACK_TIMEOUT."""
        return self.ack_timeout_ms

    @property
    def max_transmit_span_ms(self) -> int:
        """ACK_TIMEOUT * (2 ** MAX_RETRANSMIT - 1) * ACK_RANDOM_FACTOR (45 s by default)."""
        return int(self.ack_timeout_ms * ((1 << self.max_retransmit) - 1) * self.ack_random_factor)

    @property
    def max_transmit_wait_ms(self) -> int:
        """ACK_TIMEOUT * (2 ** (MAX_RETRANSMIT + 1) - 1) * ACK_RANDOM_FACTOR (93 s)."""
        return int(
            self.ack_timeout_ms * ((1 << (self.max_retransmit + 1)) - 1) * self.ack_random_factor
        )

    @property
    def max_rtt_ms(self) -> int:
        """2 * MAX_LATENCY + PROCESSING_DELAY (202 s)."""
        return 2 * self.max_latency_ms + self.processing_delay_ms

    @property
    def exchange_lifetime_ms(self) -> int:
        """MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY + PROCESSING_DELAY (247 s)."""
        return self.max_transmit_span_ms + 2 * self.max_latency_ms + self.processing_delay_ms

    @property
    def non_lifetime_ms(self) -> int:
        """MAX_TRANSMIT_SPAN + MAX_LATENCY (145 s)."""
        return self.max_transmit_span_ms + self.max_latency_ms

    def initial_timeout_ms(self, rng: "Rng") -> int:
        """RFC 7252 §4.2: a random duration between ACK_TIMEOUT and
        ACK_TIMEOUT * ACK_RANDOM_FACTOR, drawn from two bytes of ``rng``."""
        spread = int(self.ack_timeout_ms * (self.ack_random_factor - 1))
        draw = int.from_bytes(rng(2), "big")
        return self.ack_timeout_ms + spread * draw // 65536


TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Rng = Callable[[int], bytes]
