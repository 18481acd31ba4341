"""Endpoint properties over random faults (pytest-only: hypothesis drives the seeds)."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from coap import codes, types
from coap.endpoint import DONE, Endpoint
from coap.events import RequestFailed, RequestReceived, RequestTimedOut, ResponseReceived
from coap.message import Message, decode
from tests.coap.link import Link, SeededRng
from tests.coap.strategies import messages


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    loss=st.sampled_from([0.0, 0.1, 0.3]),
    duplicate=st.sampled_from([0.0, 0.2]),
    reorder=st.sampled_from([0.0, 0.2]),
    sizes=st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=4),
    szx=st.integers(min_value=0, max_value=6),
)
def test_every_request_ends_once_and_is_delivered_at_most_once(
    seed: int, loss: float, duplicate: float, reorder: float, sizes: list[int], szx: int
) -> None:
    link = Link(Endpoint(SeededRng(seed), block_szx=szx),
                Endpoint(SeededRng(seed + 1), block_szx=6 - szx // 2),
                seed=seed, loss=loss, duplicate=duplicate, reorder=reorder)
    delivered: list[str] = []

    def app(event: Any, now_ms: int) -> None:
        if isinstance(event, RequestReceived):
            delivered.append(event.request.uri_path_text)
            link.ends["B"].respond(event, event.response(codes.CHANGED, event.request.payload),
                                   now_ms)

    link.handlers["B"] = app
    requests = []
    for i, size in enumerate(sizes):
        body = bytes((i + k) & 0xFF for k in range(size))
        message = Message(types.CON, codes.POST, payload=body)
        message.uri_path = "p%d" % i
        requests.append((link.ends["A"].send_request("B", message, 0), body))
    link.run(10_000_000, done=lambda: all(r.state == DONE for r, _ in requests))
    finals: dict[int, list[Any]] = {}
    for event in link.events["A"]:
        if isinstance(event, (ResponseReceived, RequestTimedOut, RequestFailed)):
            finals.setdefault(id(event.request), []).append(event)
    for request, body in requests:
        assert request.state == DONE
        [final] = finals[id(request)]
        path = request.message.uri_path_text
        if isinstance(final, ResponseReceived):
            assert final.response.payload == body
            assert delivered.count(path) == 1
        else:
            assert delivered.count(path) <= 1


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    loss=st.sampled_from([0.0, 0.2]),
    duplicate=st.sampled_from([0.0, 0.3]),
    reorder=st.sampled_from([0.0, 0.3]),
    size=st.integers(min_value=0, max_value=5000),
    client_szx=st.integers(min_value=0, max_value=6),
    server_szx=st.integers(min_value=0, max_value=6),
    cache=st.sampled_from([0, 16]),
)
def test_block2_get_arrives_whole_or_fails_cleanly(
    seed: int, loss: float, duplicate: float, reorder: float, size: int, client_szx: int,
    server_szx: int, cache: int,
) -> None:
    body = bytes((k * 7) & 0xFF for k in range(size))
    link = Link(Endpoint(SeededRng(seed), block_szx=client_szx),
                Endpoint(SeededRng(seed + 1), block_szx=server_szx, block2_cache_limit=cache),
                seed=seed, loss=loss, duplicate=duplicate, reorder=reorder)

    def app(event: Any, now_ms: int) -> None:
        if isinstance(event, RequestReceived):
            link.ends["B"].respond(event, event.response(codes.CONTENT, body), now_ms)

    link.handlers["B"] = app
    message = Message(types.CON, codes.GET)
    message.uri_path = "body"
    request = link.ends["A"].send_request("B", message, 0)
    link.run(10_000_000, done=lambda: request.state == DONE)
    finals = [e for e in link.events["A"]
              if isinstance(e, (ResponseReceived, RequestTimedOut, RequestFailed))]
    assert len(finals) == 1
    if isinstance(finals[0], ResponseReceived):
        assert finals[0].response.payload == body
    else:
        assert loss > 0 and isinstance(finals[0], RequestTimedOut)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(messages(), st.binary(max_size=40)), max_size=12),
       st.integers(min_value=0, max_value=2**31))
def test_remote_input_never_raises(inputs: list[Any], seed: int) -> None:
    """DESIGN.md: remote faults never raise out of receive_datagram, whatever the state."""
    endpoint = Endpoint(SeededRng(seed), block_szx=0)
    observe = Message(types.CON, codes.GET)
    observe.uri_path = "o"
    observe.observe = 0
    endpoint.send_request("peer", observe, 0)
    endpoint.send_request("peer", Message(types.NON, codes.PUT, payload=bytes(40)), 0)
    sent = [decode(d) for _, d in endpoint.datagrams_to_send()]
    now = 0
    for item in inputs:
        now += 700
        if isinstance(item, Message):
            if sent and item.code and item.mid % 3 == 0:
                item.token = sent[item.mid % len(sent)].token  # aim at a live exchange
            if sent and item.mid % 5 == 0:
                item.mid = sent[0].mid
            data = item.encode()
        else:
            data = item
        endpoint.receive_datagram(data, "peer", now)
        event = endpoint.next_event()
        while event is not None:
            if isinstance(event, RequestReceived):
                endpoint.respond(event, event.response(codes.CONTENT, bytes(50)), now)
            event = endpoint.next_event()
        endpoint.datagrams_to_send()
        timer = endpoint.get_timer()
        if timer is not None and timer <= now + 700:
            endpoint.handle_timer(timer)
