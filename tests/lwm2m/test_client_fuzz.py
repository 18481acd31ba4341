"""pytest only (hypothesis): whatever a server sends, the Client never raises out of
``receive_datagram`` and answers every confirmable request."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coap import codes, types
from coap.message import Message, decode
from lwm2m import Client, formats
from tests.coap.link import SeededRng

SERVER = ("127.0.0.1", 5683)

segments = st.lists(
    st.one_of(st.sampled_from(["0", "1", "2", "3", "4", "5", "7", "19", "10250", "65535",
                               "x", "", "007", "70000"]),
              st.integers(0, 70000).map(str)),
    max_size=5)
content_formats = st.one_of(st.none(), st.sampled_from([0, 40, 42, 60, 110, 112, 11542,
                                                        11543, 11544, 1542, 9999]))
payloads = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"0", b"300", b"U", b'[{"n":"/1/0/1","v":60}]', b"\x08\x00\x03\xc1\x01\x3c",
                     b"0='a',1", b"\xa1\x00\x01"]))
queries = st.lists(st.sampled_from(["pmin=1", "pmax=10", "gt=5", "lt=1", "st=0.5", "pmin",
                                    "dim=3", "x=1", "pmin=-2", "epmin=1"]), max_size=3)


def _client() -> Client:
    client = Client("fuzz", formats, rng=SeededRng(1))
    client.add_server("coap://127.0.0.1:5683", 101, 300)
    client.add_server("coap://127.0.0.1:5685", 102, 300)  # two servers: ACLs apply
    client.start(0)
    for addr, data in client.datagrams_to_send():
        register = decode(data)
        reply = Message(types.ACK, codes.CREATED, register.mid, register.token)
        reply.location_path = ("rd", "1" if addr == SERVER else "2")
        client.receive_datagram(reply.encode(), addr, 1)
    return client


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([1, 2, 3, 4, 5, 6, 7]), segments, content_formats, content_formats,
       payloads, queries, st.one_of(st.none(), st.sampled_from([0, 1])))
def test_any_request_is_answered_and_nothing_raises(method: int, path: "list[str]",
                                                    cf: "int | None", accept: "int | None",
                                                    payload: bytes, query: "list[str]",
                                                    observe: "int | None") -> None:
    client = _client()
    request = Message(types.CON, method, 0x1234, b"\x01\x02")
    request.uri_path = path
    request.uri_query = query
    request.payload = payload
    if cf is not None:
        request.content_format = cf
    if accept is not None:
        request.accept = accept
    if observe is not None:
        request.observe = observe
    client.receive_datagram(request.encode(), SERVER, 10)
    answers = [decode(data) for addr, data in client.datagrams_to_send() if addr == SERVER]
    replies = [m for m in answers if m.token == b"\x01\x02"]
    assert len(replies) == 1, answers
    assert replies[0].code >> 5 in (2, 4, 5)
    client.handle_timer(10**7)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_garbage_datagrams_never_raise(data: bytes) -> None:
    client = _client()
    client.receive_datagram(data, SERVER, 10)
    client.receive_datagram(data, ("10.9.9.9", 1), 10)  # not a server of ours
    client.datagrams_to_send()
