"""The endpoint's message layer, block-wise and observe over a stepped link
(also under MicroPython)."""

from coap import codes, formats, options, types
from coap.endpoint import DONE, OBSERVING, QUEUED, WAITING, Endpoint
from coap.events import (
    BlockReceived,
    DatagramRejected,
    NotificationReceived,
    ObservationCancelled,
    ObservationEnded,
    RequestFailed,
    RequestReceived,
    RequestTimedOut,
    ResetReceived,
    ResponseReceived,
)
from coap.message import Message, decode
from coap.params import TransmissionParams
from tests.coap.link import Link, SeededRng
from tests.support import raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def get(path: str, mtype: int = types.CON) -> Message:
    message = Message(mtype, codes.GET)
    message.uri_path = path
    return message


def pair(seed: int = 1, **kwargs: "Any") -> Link:
    return Link(Endpoint(SeededRng(seed), **kwargs), Endpoint(SeededRng(seed + 100), **kwargs))


def serve(link: Link, bodies: "dict[str, bytes]", name: str = "B") -> "list[RequestReceived]":
    """Answer every request at ``name`` with the body stored for its path (4.04 if none)."""
    seen: list[RequestReceived] = []
    endpoint = link.ends[name]

    def handler(event: "Any", now_ms: int) -> None:
        if isinstance(event, RequestReceived):
            seen.append(event)
            body = bodies.get(event.request.uri_path_text)
            if event.request.code == codes.PUT:
                bodies[event.request.uri_path_text] = event.request.payload
                endpoint.respond(event, event.response(codes.CHANGED), now_ms)
            elif body is None:
                endpoint.respond(event, event.response(codes.NOT_FOUND), now_ms)
            else:
                endpoint.respond(event, event.response(codes.CONTENT, body, formats.TEXT), now_ms)
        else:
            link.events[name].append(event)

    link.handlers[name] = handler
    return seen


def test_get_with_piggybacked_response() -> None:
    link = pair()
    seen = serve(link, {"/3/0": b"hello"})
    request = link.ends["A"].send_request("B", get("3/0"), 0)
    link.run(1000)
    [event] = link.take("A", ResponseReceived)
    assert event.request is request
    assert event.response.code == codes.CONTENT
    assert event.response.payload == b"hello"
    assert event.response.type == types.ACK
    assert event.response.token == request.token
    assert len(request.token) == 4
    assert request.state == DONE
    assert len(seen) == 1
    assert len(link.wire) == 2  # CON request, ACK with the response
    assert link.ends["A"].get_timer() is None


def test_retransmission_schedule_to_the_millisecond() -> None:
    # Scripted rng: token 01020304, first message id 0x0010, timeout draw 0x8000 (one
    # half): initial timeout = 2000 + 1000 * 0x8000 // 0x10000 = 2500 ms.
    script = [b"\x01\x02\x03\x04", b"\x00\x10", b"\x80\x00"]

    def rng(n: int) -> bytes:
        chunk = script.pop(0)
        assert len(chunk) == n
        return chunk

    endpoint = Endpoint(rng)
    request = endpoint.send_request("B", get("x"), 0)
    sent = [0] if endpoint.datagrams_to_send() else []
    timers = []
    now = 0
    while True:
        timer = endpoint.get_timer()
        if timer is None:
            break
        timers.append(timer)
        now = timer
        endpoint.handle_timer(now)
        for _, data in endpoint.datagrams_to_send():
            assert decode(data).mid == 0x0010  # a retransmission keeps its message id
            sent.append(now)
    assert sent == [0, 2500, 7500, 17500, 37500]
    assert timers == [2500, 7500, 17500, 37500, 77500]
    event = endpoint.next_event()
    assert isinstance(event, RequestTimedOut)
    assert event.request is request
    assert request.state == DONE


def test_retransmission_with_a_seeded_rng_stays_in_the_rfc_window() -> None:
    params = TransmissionParams()
    for seed in range(20):
        endpoint = Endpoint(SeededRng(seed), params)
        endpoint.send_request("B", get("x"), 1000)
        first = endpoint.get_timer()
        assert first is not None
        timeout = first - 1000
        assert 2000 <= timeout < 3000
        times = []
        while endpoint.get_timer() is not None:
            now = endpoint.get_timer()
            assert now is not None
            times.append(now)
            endpoint.handle_timer(now)
        assert times == [1000 + timeout * k for k in (1, 3, 7, 15, 31)]
        assert times[-1] - 1000 <= params.max_transmit_wait_ms


def test_separate_response() -> None:
    link = pair()
    server = link.ends["B"]
    request = link.ends["A"].send_request("B", get("slow"), 0)
    link.run(100)
    [event] = link.take("B", RequestReceived)
    server.accept(event)  # empty ACK now, answer later
    link.run(5000)
    assert link.take("A", ResponseReceived) == []
    assert request.state == WAITING
    server.respond(event, event.response(codes.CONTENT, b"late"), link.now_ms)
    link.run(10000)
    [got] = link.take("A", ResponseReceived)
    assert got.response.payload == b"late"
    assert got.response.type == types.CON
    kinds = [(sender, decode(d).type, decode(d).code) for _, sender, d in link.wire]
    assert kinds == [
        ("A", types.CON, codes.GET),
        ("B", types.ACK, codes.EMPTY),
        ("B", types.CON, codes.CONTENT),
        ("A", types.ACK, codes.EMPTY),
    ]
    assert link.ends["B"].get_timer() is None


def test_automatic_empty_ack_when_the_application_is_slow() -> None:
    link = pair(ack_delay_ms=300)
    link.ends["A"].send_request("B", get("slow"), 0)
    link.run(1000)
    [event] = link.take("B", RequestReceived)
    assert [decode(d).code for _, s, d in link.wire if s == "B"] == [codes.EMPTY]
    assert link.wire[-1][0] == 300
    link.ends["B"].respond(event, event.response(codes.CONTENT, b"x"), link.now_ms)
    link.run(2000)
    assert len(link.take("A", ResponseReceived)) == 1


def test_duplicates_are_never_delivered_twice() -> None:
    link = pair()
    link.duplicate = 1.0  # every datagram arrives twice
    seen = serve(link, {"/a": b"A"})
    link.ends["A"].send_request("B", get("a"), 0)
    link.run(10000)
    assert len(seen) == 1
    assert len(link.take("A", ResponseReceived)) == 1


def test_duplicate_after_the_answer_gets_the_same_bytes_again() -> None:
    server = Endpoint(SeededRng(3))
    request = get("a")
    request.mid = 78
    request.token = b"\x02"
    server.receive_datagram(request.encode(), "A", 0)
    event = server.next_event()
    assert isinstance(event, RequestReceived)
    server.respond(event, event.response(codes.CONTENT, b"x"), 5)
    [(_, first)] = server.datagrams_to_send()
    server.receive_datagram(request.encode(), "A", 2000)
    assert server.datagrams_to_send() == [("A", first)]
    assert server.next_event() is None
    assert decode(first).type == types.ACK


def test_duplicate_con_before_the_answer_gets_an_empty_ack() -> None:
    server = Endpoint(SeededRng(3))
    request = get("a")
    request.mid = 77
    request.token = b"\x01"
    server.receive_datagram(request.encode(), "A", 0)
    server.receive_datagram(request.encode(), "A", 2500)
    [(_, ack)] = server.datagrams_to_send()
    assert decode(ack) == Message(types.ACK, codes.EMPTY, 77)
    event = server.next_event()
    assert isinstance(event, RequestReceived)
    assert server.next_event() is None
    server.respond(event, event.response(codes.CONTENT, b"x"), 3000)
    [(_, data)] = server.datagrams_to_send()
    assert decode(data).type == types.CON  # separate, since the request was acknowledged


def test_non_request_gets_a_non_response() -> None:
    link = pair()
    serve(link, {"/n": b"non"})
    request = link.ends["A"].send_request("B", get("n", types.NON), 0)
    link.run(1000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.type == types.NON
    assert event.response.payload == b"non"
    assert request.state == DONE


def test_non_request_without_answer_times_out() -> None:
    endpoint = Endpoint(SeededRng(2))
    request = endpoint.send_request("B", get("n", types.NON), 0)
    assert endpoint.get_timer() == endpoint.params.max_transmit_wait_ms
    endpoint.handle_timer(endpoint.params.max_transmit_wait_ms)
    event = endpoint.next_event()
    assert isinstance(event, RequestTimedOut) and event.request is request


def test_ping_is_answered_with_rst() -> None:
    endpoint = Endpoint(SeededRng(4))
    endpoint.receive_datagram(bytes.fromhex("40001234"), "A", 0)
    assert endpoint.datagrams_to_send() == [("A", bytes.fromhex("70001234"))]
    assert endpoint.next_event() is None


def test_malformed_con_gets_rst_and_an_event() -> None:
    endpoint = Endpoint(SeededRng(4))
    endpoint.receive_datagram(bytes.fromhex("4401a4d2b0743c003d3d02ff"), "A", 0)
    assert endpoint.datagrams_to_send() == [("A", bytes.fromhex("7000a4d2"))]
    event = endpoint.next_event()
    assert isinstance(event, DatagramRejected)
    endpoint.receive_datagram(b"\x50\x01", "A", 0)  # too short to answer
    assert endpoint.datagrams_to_send() == []
    assert isinstance(endpoint.next_event(), DatagramRejected)


def test_unknown_critical_option_gets_bad_option() -> None:
    endpoint = Endpoint(SeededRng(4))
    request = get("a")
    request.mid = 5
    request.token = b"\x09"
    request.add_option(2049, b"x")  # odd: critical, unassigned
    endpoint.receive_datagram(request.encode(), "A", 0)
    [(_, data)] = endpoint.datagrams_to_send()
    reply = decode(data)
    assert (reply.type, reply.code, reply.mid, reply.token) == (
        types.ACK,
        codes.BAD_OPTION,
        5,
        b"\x09",
    )
    assert isinstance(endpoint.next_event(), DatagramRejected)
    assert endpoint.next_event() is None


def test_unexpected_con_response_is_reset() -> None:
    endpoint = Endpoint(SeededRng(4))
    stray = Message(types.CON, codes.CONTENT, 9, b"\x01\x02", payload=b"?")
    endpoint.receive_datagram(stray.encode(), "B", 0)
    assert endpoint.datagrams_to_send() == [("B", bytes.fromhex("70000009"))]


def test_reset_ends_a_request() -> None:
    link = pair()
    link.handlers["B"] = lambda event, now: None  # B never answers ...
    request = link.ends["A"].send_request("B", get("a"), 0)
    link.settle()
    mid = decode(link.wire[0][2]).mid
    link.ends["A"].receive_datagram(Message(types.RST, codes.EMPTY, mid).encode(), "B", 10)
    link.settle()
    [event] = link.take("A", ResetReceived)
    assert event.request is request
    assert link.ends["A"].get_timer() is None


def test_nstart_queues_requests_in_order() -> None:
    link = pair()
    serve(link, {"/1": b"1", "/2": b"2", "/3": b"3"})
    client = link.ends["A"]
    first = client.send_request("B", get("1"), 0)
    second = client.send_request("B", get("2"), 0)
    third = client.send_request("B", get("3"), 0)
    assert (first.state, second.state, third.state) == (WAITING, QUEUED, QUEUED)
    assert len(client.datagrams_to_send()) == 1
    client.cancel(first, 0)
    assert second.state == WAITING
    link.run(1000)
    bodies = [e.response.payload for e in link.take("A", ResponseReceived)]
    assert bodies == [b"2", b"3"]
    assert first.state == DONE


def test_nstart_is_per_peer_and_tunable() -> None:
    endpoint = Endpoint(SeededRng(8), TransmissionParams(nstart=2))
    first = endpoint.send_request("B", get("1"), 0)
    second = endpoint.send_request("B", get("2"), 0)
    third = endpoint.send_request("B", get("3"), 0)
    other = endpoint.send_request("C", get("4"), 0)
    assert [r.state for r in (first, second, third, other)] == [WAITING, WAITING, QUEUED,
                                                                WAITING]
    assert [peer for peer, _ in endpoint.datagrams_to_send()] == ["B", "B", "C"]
    mid = decode(first.message.encode()).mid
    ack = Message(types.ACK, codes.CONTENT, mid, first.token, payload=b"1")
    endpoint.receive_datagram(ack.encode(), "B", 10)
    assert third.state == WAITING
    assert [decode(d).uri_path for _, d in endpoint.datagrams_to_send()] == [("3",)]


def test_cancel_stops_retransmission() -> None:
    endpoint = Endpoint(SeededRng(5))
    request = endpoint.send_request("B", get("x"), 0)
    endpoint.cancel(request, 10)
    assert endpoint.get_timer() is None
    assert request.state == DONE
    assert endpoint.next_event() is None


def test_forget_peer_drops_everything() -> None:
    link = pair()
    client = link.ends["A"]
    client.send_request("B", get("1"), 0)
    client.send_request("B", get("2"), 0)
    client.forget_peer("B")
    assert client.get_timer() is None
    client.datagrams_to_send()
    client.send_request("B", get("3"), 0)
    assert len(client.datagrams_to_send()) == 1


def test_dedup_memory_is_bounded() -> None:
    endpoint = Endpoint(SeededRng(6), dedup_limit=500)
    message = Message(types.NON, codes.POST, 0, b"\x01")
    for i in range(3000):
        message.mid = i & 0xFFFF
        endpoint.receive_datagram(message.encode(), "A", i)
        endpoint.datagrams_to_send()
        endpoint.next_event()
        assert endpoint.dedup_size() <= 500
    assert len(endpoint._seen_order) <= 1100


def test_dedup_entries_expire() -> None:
    endpoint = Endpoint(SeededRng(6))
    message = Message(types.NON, codes.POST, 1, b"\x01")
    endpoint.receive_datagram(message.encode(), "A", 0)
    assert endpoint.dedup_size() == 1
    endpoint.handle_timer(endpoint.params.non_lifetime_ms + 1)
    assert endpoint.dedup_size() == 0


def test_block2_response_is_sliced_and_reassembled() -> None:
    body = bytes(i & 0xFF for i in range(3000))
    link = pair(block_szx=2)  # 64-byte blocks both sides
    seen = serve(link, {"/fw": body})
    link.ends["A"].send_request("B", get("fw"), 0)
    link.run(10000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.payload == body
    assert len(seen) == 1  # later blocks came from the cache, not the application
    assert len([1 for _, s, _ in link.wire if s == "A"]) == 47  # ceil(3000 / 64)


def test_block2_client_asks_for_smaller_blocks() -> None:
    body = bytes(range(256)) * 8
    link = Link(Endpoint(SeededRng(1), block_szx=1), Endpoint(SeededRng(2), block_szx=6))
    serve(link, {"/big": body})
    link.ends["A"].send_request("B", get("big"), 0)
    link.run(60000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.payload == body
    sizes = [len(decode(d).payload) for _, s, d in link.wire if s == "B"]
    assert set(sizes) == {32}  # early negotiation: the first request asked for 32 already
    first = decode(link.wire[0][2])
    assert first.block2 == (0, False, 1)


def test_block2_streamed_block_by_block() -> None:
    body = bytes(i & 0xFF for i in range(1000))
    link = pair(block_szx=3)
    serve(link, {"/s": body})
    request = link.ends["A"].send_request("B", get("s"), 0, stream=True)
    link.run(10000)
    blocks = link.take("A", BlockReceived)
    assert [b.offset for b in blocks] == list(range(0, 1000, 128))
    assert [b.more for b in blocks] == [True] * 7 + [False]
    assert b"".join(b.response.payload for b in blocks) == body
    assert link.take("A", ResponseReceived) == []
    assert request.state == DONE


def test_block2_peer_changes_block_size_mid_transfer() -> None:
    body = bytes(i % 253 for i in range(3000))
    link = pair(block_szx=6)

    def handler(event: "Any", now_ms: int) -> None:
        # an application that slices by itself and drops to 256-byte blocks after the first
        if isinstance(event, RequestReceived):
            asked = event.request.block2
            offset = 0 if asked is None else asked[0] * (16 << asked[2])
            szx = 6 if offset == 0 else 4
            size = 16 << szx
            response = event.response(codes.CONTENT, body[offset:offset + size])
            response.block2 = (offset // size, offset + size < len(body), szx)
            link.ends["B"].respond(event, response, now_ms)

    link.handlers["B"] = handler
    link.ends["A"].send_request("B", get("m"), 0)
    link.run(10000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.payload == body
    asked = [decode(d).block2 for _, s, d in link.wire if s == "A"]
    assert asked[:3] == [None, (1, False, 6), (5, False, 4)]


def test_block2_size2_beyond_the_limit_fails_early() -> None:
    link = Link(Endpoint(SeededRng(1), max_body_size=500), Endpoint(SeededRng(2), block_szx=2))
    serve(link, {"/huge": b"h" * 2000})
    link.ends["A"].send_request("B", get("huge"), 0)
    link.run(10000)
    [failed] = link.take("A", RequestFailed)
    assert "too large" in failed.reason
    assert len([1 for _, s, _ in link.wire if s == "A"]) == 1


def test_block2_served_statelessly_when_the_cache_is_gone() -> None:
    body = b"z" * 200
    link = pair(block_szx=2, block2_cache_limit=0)  # nothing kept: blocks go to the app
    seen = serve(link, {"/s": body})
    link.ends["A"].send_request("B", get("s"), 0)
    link.run(10000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.payload == body
    assert len(seen) == 4


def test_block2_etag_change_fails_the_transfer() -> None:
    link = pair(block_szx=2, block2_cache_limit=0)
    bodies = {"/v": b"a" * 100}
    count = [0]

    def handler(event: "Any", now_ms: int) -> None:
        if isinstance(event, RequestReceived):
            count[0] += 1
            response = event.response(codes.CONTENT, bodies["/v"])
            response.etag = bytes((count[0],))
            link.ends["B"].respond(event, response, now_ms)

    link.handlers["B"] = handler
    link.ends["A"].send_request("B", get("v"), 0)
    link.run(10000)
    [failed] = link.take("A", RequestFailed)
    assert "ETag" in failed.reason


def test_block1_request_is_reassembled() -> None:
    body = bytes(i * 7 & 0xFF for i in range(3000))
    link = pair(block_szx=4)
    stored: dict[str, bytes] = {}
    seen = serve(link, stored)
    put = Message(types.CON, codes.PUT)
    put.uri_path = "fw"
    put.content_format = formats.OCTET_STREAM
    put.payload = body
    link.ends["A"].send_request("B", put, 0)
    link.run(10000)
    assert stored["/fw"] == body
    assert len(seen) == 1
    [event] = link.take("A", ResponseReceived)
    assert event.response.code == codes.CHANGED
    assert event.response.block1 == (11, False, 4)
    continues = [decode(d).code for _, s, d in link.wire if s == "B"]
    assert continues == [codes.CONTINUE] * 11 + [codes.CHANGED]


def test_block1_server_asks_for_smaller_blocks() -> None:
    body = b"q" * 2500
    link = Link(Endpoint(SeededRng(1), block_szx=6), Endpoint(SeededRng(2), block_szx=3))
    stored: dict[str, bytes] = {}
    serve(link, stored)
    put = Message(types.CON, codes.PUT)
    put.uri_path = "up"
    put.payload = body
    link.ends["A"].send_request("B", put, 0)
    link.run(60000)
    assert stored["/up"] == body
    sizes = [len(decode(d).payload) for _, s, d in link.wire if s == "A"]
    assert sizes[0] == 1024 and sizes[1] == 128 and sum(sizes) == 2500


def _block1_put(mid: int, num: int, more: bool, payload: bytes, content_format: int = 0) -> bytes:
    message = Message(types.CON, codes.PUT, mid, b"\x07")
    message.uri_path = "f"
    message.content_format = content_format
    message.block1 = (num, more, 0)
    message.payload = payload
    return message.encode()


def test_block1_gap_and_format_change_get_4_08() -> None:
    server = Endpoint(SeededRng(9))
    server.receive_datagram(_block1_put(1, 0, True, b"a" * 16), "A", 0)
    assert decode(server.datagrams_to_send()[0][1]).code == codes.CONTINUE
    server.receive_datagram(_block1_put(2, 2, True, b"c" * 16), "A", 10)  # block 1 missing
    assert decode(server.datagrams_to_send()[0][1]).code == codes.REQUEST_ENTITY_INCOMPLETE
    server.receive_datagram(_block1_put(3, 0, True, b"a" * 16), "A", 20)
    server.datagrams_to_send()
    server.receive_datagram(_block1_put(4, 1, False, b"b", content_format=40), "A", 30)
    assert decode(server.datagrams_to_send()[0][1]).code == codes.REQUEST_ENTITY_INCOMPLETE
    assert server.next_event() is None


def test_block1_too_large_gets_4_13_with_size1() -> None:
    server = Endpoint(SeededRng(9), max_body_size=40)
    for mid, num in ((1, 0), (2, 1)):
        server.receive_datagram(_block1_put(mid, num, True, b"a" * 16), "A", 0)
        assert decode(server.datagrams_to_send()[0][1]).code == codes.CONTINUE
    server.receive_datagram(_block1_put(3, 2, True, b"a" * 16), "A", 0)
    reply = decode(server.datagrams_to_send()[0][1])
    assert reply.code == codes.REQUEST_ENTITY_TOO_LARGE
    assert reply.size1 == 40


def test_block1_reassemblies_are_bounded_and_expire() -> None:
    server = Endpoint(SeededRng(9), max_reassemblies_per_peer=2)
    for i in range(5):
        message = Message(types.CON, codes.PUT, 100 + i, b"\x01")
        message.uri_path = "r%d" % i
        message.block1 = (0, True, 0)
        message.payload = b"x" * 16
        server.receive_datagram(message.encode(), "A", 0)
    assert len(server._reassemblies["A"]) == 2
    server.handle_timer(server.params.exchange_lifetime_ms + 1)
    assert "A" not in server._reassemblies


def observe_pair(**kwargs: "Any") -> "tuple[Link, list[Any]]":
    link = pair(**kwargs)
    observations: list[Any] = []

    def handler(event: "Any", now_ms: int) -> None:
        if isinstance(event, RequestReceived):
            response = event.response(codes.CONTENT, b"v0", formats.TEXT)
            observation = link.ends["B"].respond(event, response, now_ms)
            if observation is not None:
                observations.append(observation)
        else:
            link.events["B"].append(event)

    link.handlers["B"] = handler
    return link, observations


def observe(link: Link, path: str = "o", until_ms: int = 100) -> "Any":
    """Register an observation of ``path`` from A at B; returns A's request handle."""
    message = get(path)
    message.observe = 0
    request = link.ends["A"].send_request("B", message, link.now_ms)
    link.run(until_ms)
    return request


def test_observe_notifications_and_active_cancel() -> None:
    link, observations = observe_pair(observe_con_every=3)
    client, server = link.ends["A"], link.ends["B"]
    request = observe(link, "3/0/7")
    [first] = link.take("A", ResponseReceived)
    assert first.response.observe is not None
    assert request.state == OBSERVING
    [observation] = observations
    sent_types = []
    for i in range(1, 7):
        link.now_ms += 1000
        server.notify(observation, Message(code=codes.CONTENT, payload=b"v%d" % i), link.now_ms)
        link.run(link.now_ms + 10)
        sent_types.append(decode(link.wire[-1 if link.wire[-1][1] == "B" else -2][2]).type)
    notes = link.take("A", NotificationReceived)
    assert [n.response.payload for n in notes] == [b"v%d" % i for i in range(1, 7)]
    sequences = [n.response.observe for n in notes]
    assert sequences == sorted(sequences)
    assert sent_types.count(types.CON) == 2  # every third is CON
    client.cancel(request, link.now_ms)
    link.run(link.now_ms + 1000)
    assert [e.reason for e in link.take("B", ObservationCancelled)] == ["deregistered"]
    assert [e.reason for e in link.take("A", ObservationEnded)] == ["cancelled"]
    assert request.state == DONE
    assert not observation.active
    assert server.observations() == []


def test_observe_rst_on_a_notification_cancels() -> None:
    link, observations = observe_pair()
    request = observe(link)
    link.ends["A"].forget_peer("B")  # the client forgets: the next notification gets RST
    assert request.state == DONE
    link.ends["B"].notify(
        observations[0], Message(code=codes.CONTENT, payload=b"n"), link.now_ms, confirmable=True
    )
    link.run(link.now_ms + 100)
    [event] = link.take("B", ObservationCancelled)
    assert event.reason == "reset"


def test_passive_cancel_resets_the_next_notification() -> None:
    link, observations = observe_pair()
    request = observe(link)
    link.ends["A"].cancel(request, link.now_ms, deregister=False)
    assert request.state == DONE
    assert link.ends["A"].get_timer() is None
    link.ends["B"].notify(observations[0], Message(code=codes.CONTENT, payload=b"n"),
                          link.now_ms)  # NON: the RST names its message id
    link.run(link.now_ms + 100)
    assert [e.reason for e in link.take("B", ObservationCancelled)] == ["reset"]
    assert link.take("A", NotificationReceived) == []


def test_observe_stale_notifications_are_dropped() -> None:
    client = Endpoint(SeededRng(1))
    message = get("o")
    message.observe = 0
    request = client.send_request("B", message, 0)
    [(_, data)] = client.datagrams_to_send()
    sent = decode(data)

    def notification(mid: int, seq: int) -> bytes:
        reply = Message(types.NON, codes.CONTENT, mid, sent.token, payload=b"%d" % seq)
        reply.observe = seq
        return reply.encode()

    ack = Message(types.ACK, codes.CONTENT, sent.mid, sent.token, payload=b"first")
    ack.observe = 10
    client.receive_datagram(ack.encode(), "B", 10)
    client.receive_datagram(notification(1, 12), "B", 20)
    client.receive_datagram(notification(2, 11), "B", 30)  # older: dropped
    client.receive_datagram(notification(3, 5), "B", 200000)  # 128 s later: fresh again
    events = []
    event = client.next_event()
    while event is not None:
        events.append(event)
        event = client.next_event()
    assert isinstance(events[0], ResponseReceived)
    assert [e.response.payload for e in events[1:]] == [b"12", b"5"]
    assert request.state == OBSERVING


def test_error_notification_ends_the_observation() -> None:
    link, observations = observe_pair()
    request = observe(link)
    link.ends["B"].notify(observations[0], Message(code=codes.NOT_FOUND), link.now_ms)
    link.run(link.now_ms + 100)
    assert len(link.take("A", NotificationReceived)) == 1
    assert [e.reason for e in link.take("A", ObservationEnded)] == ["ended by the server"]
    assert request.state == DONE
    assert not observations[0].active
    raises(ValueError, link.ends["B"].notify, observations[0], Message(code=codes.CONTENT), 0)


def test_reregistration_keeps_the_token_and_the_observation() -> None:
    link, observations = observe_pair()
    request = observe(link)
    link.take("A", ResponseReceived)
    link.ends["A"].reregister(request, link.now_ms)
    link.run(link.now_ms + 100)
    assert len(observations) == 2 and not observations[0].active and observations[1].active
    assert observations[1].token == request.token
    assert observations[1].sequence == observations[0].sequence + 1
    assert request.state == OBSERVING
    [renewed] = link.take("A", NotificationReceived)  # the answer to the re-registration
    assert renewed.response.observe == observations[1].sequence
    link.ends["B"].notify(observations[1], Message(code=codes.CONTENT, payload=b"after"),
                          link.now_ms)
    link.run(link.now_ms + 100)
    payloads = [e.response.payload for e in link.take("A", NotificationReceived)]
    assert payloads[-1] == b"after"


def test_a_new_con_notification_replaces_the_unacknowledged_one() -> None:
    link, observations = observe_pair()
    observe(link)
    server = link.ends["B"]
    link.drop = lambda sender, data: sender == "A"  # ACKs get lost for a while
    server.notify(observations[0], Message(code=codes.CONTENT, payload=b"1"), link.now_ms,
                  confirmable=True)
    link.run(link.now_ms + 1)
    deadline = server.get_timer()
    server.notify(observations[0], Message(code=codes.CONTENT, payload=b"2"), link.now_ms,
                  confirmable=False)  # RFC 7641 §4.5.2: goes CON, takes over the timer
    link.run(link.now_ms + 1)
    assert len(server._outgoing) == 1
    assert server.get_timer() == deadline
    from_server = [decode(d) for _, sender, d in link.wire if sender == "B"]
    assert from_server[-1].type == types.CON and from_server[-1].payload == b"2"
    link.drop = None
    link.run(link.now_ms + 60000)
    assert server._outgoing == {}
    assert observations[0].active
    assert [e.response.payload for e in link.take("A", NotificationReceived)] == [b"1", b"2"]


def test_unacknowledged_con_notification_ends_the_observation() -> None:
    link, observations = observe_pair()
    observe(link)
    link.drop = lambda sender, data: sender == "A"  # the client went away
    link.ends["B"].notify(
        observations[0], Message(code=codes.CONTENT, payload=b"n"), link.now_ms, confirmable=True
    )
    link.run(link.now_ms + 100000)
    [event] = link.take("B", ObservationCancelled)
    assert event.reason == "timeout"


def test_large_notification_is_fetched_whole() -> None:
    body = bytes(range(200))
    link, observations = observe_pair(block_szx=2)
    observe(link, "big", until_ms=1000)
    link.take("A", ResponseReceived)
    link.ends["B"].notify(observations[0], Message(code=codes.CONTENT, payload=body), link.now_ms)
    link.run(link.now_ms + 1000)
    [note] = link.take("A", NotificationReceived)
    assert note.response.payload == body
    assert note.response.observe == observations[0].sequence


def test_lossy_link_completes_within_max_transmit_wait() -> None:
    link = pair(seed=11)
    link.loss = 0.3
    link.faults = SeededRng(42)
    serve(link, {"/r": b"ok"})
    wait = link.ends["A"].params.max_transmit_wait_ms
    completed = 0
    timed_out = 0
    for _ in range(30):
        start = link.now_ms
        request = link.ends["A"].send_request("B", get("r"), start)

        def done(r: "Any" = request) -> bool:
            return bool(r.state == DONE)

        link.run(start + wait, done=done)
        if link.take("A", ResponseReceived):
            completed += 1
            assert link.now_ms - start <= wait
        timed_out += len(link.take("A", RequestTimedOut))
        link.now_ms += 1
    # 4 retransmissions each way: a loss of all 5 attempts is rare (< 1 % at 30 %)
    assert completed >= 28, (completed, timed_out)


def test_reordered_and_duplicated_datagrams_keep_block_transfers_whole() -> None:
    body = bytes(i % 251 for i in range(2000))
    link = pair(seed=5, block_szx=2)
    link.reorder = 0.3
    link.duplicate = 0.3
    link.loss = 0.1
    stored: dict[str, bytes] = {}
    seen = serve(link, stored)
    put = Message(types.CON, codes.PUT)
    put.uri_path = "x"
    put.payload = body
    link.ends["A"].send_request("B", put, 0)
    link.run(300000)
    assert stored["/x"] == body
    assert len(seen) == 1
    assert len(link.take("A", ResponseReceived)) == 1
    link.ends["A"].send_request("B", get("x"), link.now_ms)
    link.run(link.now_ms + 300000)
    [event] = link.take("A", ResponseReceived)
    assert event.response.payload == body


def test_send_request_rejects_misuse() -> None:
    endpoint = Endpoint(SeededRng(1))
    raises(ValueError, endpoint.send_request, "B", Message(code=codes.CONTENT), 0)
    raises(ValueError, endpoint.send_request, "B", Message(types.ACK, codes.GET), 0)
    raises(ValueError, Endpoint, SeededRng(1), None, 7)
    message = get("a")
    message.token = b"\x01"
    endpoint.send_request("B", message, 0)
    raises(ValueError, endpoint.send_request, "B", message, 0)


def test_transmission_params_derived_values() -> None:
    params = TransmissionParams()
    assert params.max_transmit_span_ms == 45000
    assert params.max_transmit_wait_ms == 93000
    assert params.max_rtt_ms == 202000
    assert params.exchange_lifetime_ms == 247000
    assert params.non_lifetime_ms == 145000
    quick = TransmissionParams(ack_timeout_ms=1000, max_retransmit=2)
    assert quick.max_transmit_span_ms == 4500
    assert quick.max_transmit_wait_ms == 10500
    assert options.BLOCK1 == 27
