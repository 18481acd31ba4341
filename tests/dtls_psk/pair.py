"""A client, a server and a link between them, with stepped time and seeded faults.
Runs on CPython and MicroPython (imports only the code under test)."""

import hashlib

from dtls_psk import DtlsClient, DtlsServer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

KEY = bytes(range(16))
IDENTITY = b"ep1"
CLIENT_ADDR = ("192.0.2.7", 50000)


class SeededRng:
    """A deterministic rng(n) (SHA-256 in counter mode) so runs replay exactly."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.counter = 0
        self.buf = b""

    def __call__(self, n: int) -> bytes:
        while len(self.buf) < n:
            block = self.seed.to_bytes(8, "big") + self.counter.to_bytes(8, "big")
            self.buf += hashlib.sha256(block).digest()
            self.counter += 1
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def chance(self, p: float) -> bool:
        return int.from_bytes(self(2), "big") < int(p * 65536)


def make_pair(
    client_opts: "dict[str, Any] | None" = None,
    server_opts: "dict[str, Any] | None" = None,
    keys: "dict[bytes, bytes] | None" = None,
    identity: bytes = IDENTITY,
    key: bytes = KEY,
    seed: int = 1,
) -> "tuple[DtlsClient, DtlsServer]":
    table = {IDENTITY: KEY} if keys is None else keys
    client = DtlsClient(identity, key, SeededRng(seed), **(client_opts or {}))
    server = DtlsServer(table.get, SeededRng(seed + 1000), **(server_opts or {}))
    return client, server


class Link:
    """Moves datagrams both ways; can drop, duplicate and reorder them (seeded)."""

    def __init__(
        self,
        client: DtlsClient,
        server: DtlsServer,
        loss: float = 0.0,
        duplicate: float = 0.0,
        reorder: float = 0.0,
        seed: int = 7,
        addr: "Any" = CLIENT_ADDR,
    ) -> None:
        self.client = client
        self.server = server
        self.loss = loss
        self.duplicate = duplicate
        self.reorder = reorder
        self.rng = SeededRng(seed)
        self.addr = addr
        self.now_ms = 0
        self.client_events: "list[Any]" = []
        self.server_events: "list[Any]" = []
        self.to_server: "list[tuple[int, bytes]]" = []  # (time sent, datagram) log
        self.to_client: "list[tuple[int, bytes]]" = []
        self.tap: "Callable[[str, bytes], bytes | None] | None" = None

    def _faults(self, datagrams: "list[bytes]") -> "list[bytes]":
        out = []
        for d in datagrams:
            if self.loss and self.rng.chance(self.loss):
                continue
            out.append(d)
            if self.duplicate and self.rng.chance(self.duplicate):
                out.append(d)
        if self.reorder and len(out) > 1 and self.rng.chance(self.reorder):
            out.reverse()
        return out

    def pump(self) -> None:
        """Deliver until neither side has anything to send."""
        for _ in range(100):
            up = list(self.client.datagrams_to_send())
            down = [d for a, d in self.server.datagrams_to_send() if a == self.addr]
            if not up and not down:
                break
            for d in up:
                self.to_server.append((self.now_ms, d))
            for d in down:
                self.to_client.append((self.now_ms, d))
            for d in self._faults(up):
                if self.tap is not None:
                    tapped = self.tap("up", d)
                    if tapped is None:
                        continue
                    d = tapped
                self.server.receive_datagram(d, self.addr, self.now_ms)
            for d in self._faults(down):
                if self.tap is not None:
                    tapped = self.tap("down", d)
                    if tapped is None:
                        continue
                    d = tapped
                self.client.receive_datagram(d, self.now_ms)
        self.drain_events()

    def drain_events(self) -> None:
        while True:
            e = self.client.next_event()
            if e is None:
                break
            self.client_events.append(e)
        while True:
            e = self.server.next_event()
            if e is None:
                break
            self.server_events.append(e)

    def run(self, limit_ms: int = 300000) -> None:
        """Pump, then jump to the next timer, until quiet or ``limit_ms``."""
        self.pump()
        while True:
            timers = [
                t for t in (self.client.get_timer(), self.server.get_timer()) if t is not None
            ]
            if not timers:
                return
            t = min(timers)
            if t > limit_ms:
                return
            self.now_ms = max(self.now_ms, t)
            self.client.handle_timer(self.now_ms)
            self.server.handle_timer(self.now_ms)
            self.pump()

    def handshake(self, limit_ms: int = 300000) -> None:
        self.client.connect(self.now_ms)
        self.run(limit_ms)

    def names(self, side: str) -> "list[str]":
        events = self.client_events if side == "client" else self.server_events
        return [type(e).__name__ for e in events]

    def first(self, side: str, name: str) -> "Any":
        events = self.client_events if side == "client" else self.server_events
        for e in events:
            if type(e).__name__ == name:
                return e
        raise AssertionError("no %s on the %s: %r" % (name, side, events))


def connected(
    client_opts: "dict[str, Any] | None" = None,
    server_opts: "dict[str, Any] | None" = None,
    seed: int = 1,
) -> Link:
    client, server = make_pair(client_opts, server_opts, seed=seed)
    link = Link(client, server)
    link.handshake()
    assert client.is_established, link.client_events
    return link
