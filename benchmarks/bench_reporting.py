"""Information reporting: what one notification costs through the whole client.

- A resource observation (/3/0/9, NON): the application changes the value, the client
  runs the attribute timer, reads the resource through the dispatcher, encodes it and
  hands it to the CoAP endpoint, which numbers and encodes the NON notification. The
  baseline is the CoAP endpoint's ``notify`` alone with the same payload already
  encoded (RFC 7641 mechanics only), so the ratio is the price of the LwM2M layer.
- The same for an instance observation (/3/0, TLV), which re-reads the whole instance
  to see whether it changed.
"""

import os
from collections.abc import Callable

from benchmarks.bench_client import SERVER, register
from benchmarks.runner import Case
from coap import codes, types
from coap.endpoint import Endpoint
from coap.message import Message, decode
from lwm2m import Client, formats


def _observed_client(path: str) -> Client:
    client = Client("urn:imei:490154203237511", formats, rng=os.urandom,
                    manufacturer="Open Mobile Alliance")
    client.add_server("coap://127.0.0.1:5683", 101, 86400)
    client.set_value("/3/0/9", 50)
    client.reporting.notify_confirmable = False
    register(client)
    get = Message(types.CON, codes.GET, 0x2000, b"obs1")
    get.uri_path = tuple(path.strip("/").split("/"))
    get.observe = 0
    if path.count("/") < 3:
        get.accept = formats.TLV
    client.receive_datagram(get.encode(), SERVER, 0)
    client.datagrams_to_send()
    return client


def _client_notify(client: Client) -> "Callable[[], bytes]":
    state = [50]

    def notify() -> bytes:
        state[0] = 51 if state[0] == 50 else 50
        client.set_value("/3/0/9", state[0])
        ((_addr, data),) = client.datagrams_to_send()
        return data

    return notify


def _endpoint_notify(payload: bytes, content_format: int) -> "Callable[[], bytes]":
    endpoint = Endpoint(os.urandom)
    get = Message(types.CON, codes.GET, 0x2000, b"obs1")
    get.uri_path = ("3", "0", "9")
    get.observe = 0
    endpoint.receive_datagram(get.encode(), SERVER, 0)
    event = endpoint.next_event()
    assert event is not None
    observation = endpoint.respond(event, event.response(codes.CONTENT, payload), 0)
    endpoint.datagrams_to_send()
    assert observation is not None

    def notify() -> bytes:
        message = Message(code=codes.CONTENT, payload=payload)
        message.content_format = content_format
        endpoint.notify(observation, message, 0, confirmable=False)
        ((_peer, data),) = endpoint.datagrams_to_send()
        return data

    return notify


def cases(quick: bool) -> "list[Case]":
    out = []
    for name, path, cf in (("notify /3/0/9 on change (text, NON)", "/3/0/9", formats.TEXT),
                           ("notify /3/0 on change (TLV, NON)", "/3/0", formats.TLV)):
        client = _observed_client(path)
        ours = _client_notify(client)
        first = decode(ours())  # a notification of the value 51
        baseline = _endpoint_notify(first.payload, cf)

        def check(ours: "Callable[[], bytes]" = ours,
                  baseline: "Callable[[], bytes]" = baseline) -> None:
            a = decode(ours())
            b = decode(ours())
            c = decode(baseline())
            # Both sides emit a NON 2.05 notification with an Observe number; ours
            # carries the value the application set, as the baseline carries its payload.
            assert a.type == b.type == c.type == types.NON
            assert a.code == c.code == codes.CONTENT and a.observe is not None
            assert a.payload != b.payload and c.payload in (a.payload, b.payload)

        out.append(Case(name, ours, "coap.Endpoint.notify alone (payload pre-encoded)",
                        baseline, check=check))
    return out
