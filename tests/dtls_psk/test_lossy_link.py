"""Handshakes over a link that drops, duplicates and reorders, with stepped time.
CPython and MicroPython (fewer seeds there: ``SEEDS`` is cut by the runner's speed)."""

from tests.dtls_psk.pair import Link, make_pair


def _run(seed: int, loss: float, mtu: int = 1200) -> Link:
    client, server = make_pair({"mtu": mtu}, {"mtu": mtu, "psk_hint": b"x" * 300}, seed=seed)
    link = Link(client, server, loss=loss, duplicate=0.1, reorder=0.3, seed=seed)
    link.handshake(limit_ms=120000)
    return link


def test_handshake_completes_under_30_percent_loss() -> None:
    completed = 0
    for seed in range(12):
        link = _run(seed, 0.3)
        if link.client.is_established and "HandshakeCompleted" in link.names("server"):
            completed += 1
            # Data still flows over the lossy link (retry until one copy arrives).
            for _ in range(20):
                link.client.send(b"data")
                link.pump()
                if "ApplicationData" in link.names("server"):
                    break
            assert "ApplicationData" in link.names("server")
        else:
            # Failing is allowed only by the total timeout, never by a protocol error.
            assert link.first("client", "HandshakeFailed").alert is None, link.client_events
    assert completed >= 11, completed


def test_fragmented_handshake_completes_with_loss_and_reordering() -> None:
    done = 0
    for seed in range(6):
        link = _run(100 + seed, 0.2, mtu=256)
        done += link.client.is_established
    assert done >= 5


def test_same_seed_same_run() -> None:
    a = _run(3, 0.3)
    b = _run(3, 0.3)
    assert a.to_server == b.to_server and a.to_client == b.to_client
