"""The LwM2M client's device-management path, and what one registered client costs.

- Read /3/0 in TLV through the whole client, datagram in, datagram out (CoAP decode,
  dispatch, access checks, object read, TLV encode, CoAP encode), and through the
  transaction face alone; the baseline is the TLV encoding of the same records by
  ``lwm2m.formats`` (the serialisation alone), so the ratio is the price of the rest.
- Memory of one idle client registered with one server (tracemalloc, KiB): what a
  gateway of many soft clients pays per endpoint.
"""

import os
import tracemalloc

from benchmarks.runner import Case
from coap import codes, types
from coap.message import Message, decode
from lwm2m import Client, formats
from lwm2m.dm import GET, DmRequest

SERVER = ("127.0.0.1", 5683)


def _registered(name: str = "urn:imei:490154203237511") -> Client:
    client = Client(name, formats, rng=os.urandom, manufacturer="Open Mobile Alliance",
                    model="Lightweight M2M Client", serial="345000123",
                    firmware_version="1.0")
    client.add_server("coap://127.0.0.1:5683", 101, 86400)
    return register(client)


def register(client: Client) -> Client:
    """Start ``client`` and answer its Register with 2.01 Created (/rd/1) by hand."""
    client.start(0)
    ((_addr, data),) = client.datagrams_to_send()
    request = decode(data)
    created = Message(types.ACK, codes.CREATED, request.mid, request.token)
    created.location_path = ("rd", "1")
    client.receive_datagram(created.encode(), SERVER, 0)
    return client


def _memory_per_client_kib(count: int) -> float:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    clients = [_registered("ep%d" % i) for i in range(count)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(clients) == count
    return round((after - before) / 1024 / count, 1)


def cases(quick: bool) -> "list[Case]":
    client = _registered()
    request = Message(types.CON, codes.GET, 1, b"\x07\x07")
    request.uri_path = ("3", "0")
    request.accept = formats.TLV
    datagram = bytearray(request.encode())
    mid = [1]

    def over_the_wire() -> bytes:
        # A fresh message id each time, or the CoAP layer answers from its cache.
        mid[0] = (mid[0] + 1) & 0xFFFF
        datagram[2] = mid[0] >> 8
        datagram[3] = mid[0] & 0xFF
        client.receive_datagram(bytes(datagram), SERVER, 0)
        ((_addr, reply),) = client.datagrams_to_send()
        return reply

    dm_request = DmRequest(GET, ("3", "0"), accept=formats.TLV)

    def transaction() -> bytes:
        return client.handle_request(101, dm_request, 0).payload

    records = client.objects[3].read((3, 0), 101)

    def encode_only() -> bytes:
        return formats.encode(formats.TLV, records, (3, 0))

    def check() -> None:
        reply = decode(over_the_wire())
        assert reply.code == codes.CONTENT and reply.content_format == formats.TLV
        assert reply.payload == transaction() == encode_only()

    return [
        Case("client: Read /3/0 TLV, datagram to datagram", over_the_wire,
             "lwm2m.formats TLV encode of the records", encode_only, check=check),
        Case("client: Read /3/0 TLV, transaction face", transaction,
             "lwm2m.formats TLV encode of the records", encode_only, check=check),
        Case("client: memory of one registered idle client", None,
             value=_memory_per_client_kib(20 if quick else 200), unit="KiB"),
    ]
