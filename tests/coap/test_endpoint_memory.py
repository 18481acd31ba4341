"""Deduplication memory stays flat under 100,000 distinct message ids (pytest-only:
tracemalloc measures it)."""

import tracemalloc

from coap import codes, types
from coap.endpoint import Endpoint
from coap.events import RequestReceived
from coap.message import Message
from tests.coap.link import SeededRng


def test_dedup_memory_is_flat_under_100000_message_ids() -> None:
    endpoint = Endpoint(SeededRng(1), dedup_limit=1000)
    request = Message(types.CON, codes.POST, 0, b"\x01\x02", payload=b"x")
    request.uri_path = "d"
    sizes = []
    tracemalloc.start()
    try:
        for i in range(100000):
            request.mid = i & 0xFFFF
            request.type = types.CON if i % 2 else types.NON
            request.token = i.to_bytes(4, "big")
            endpoint.receive_datagram(request.encode(), ("10.0.0.1", 5683 + i % 7), i)
            event = endpoint.next_event()
            assert isinstance(event, RequestReceived)
            endpoint.respond(event, event.response(codes.CHANGED), i)
            endpoint.datagrams_to_send()
            assert endpoint.dedup_size() <= 1000
            if i % 20000 == 19999:
                sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert endpoint.next_event() is None
    # after the first 20,000 the footprint no longer grows with traffic
    assert max(sizes[1:]) < sizes[0] * 1.2, sizes
