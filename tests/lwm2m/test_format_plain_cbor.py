"""Plain CBOR (60): one value per payload, typed by the resource; and the client's
ETS 1.1-int-211 / int-212 reads and writes of /1/0 in it. Also runs under MicroPython."""

from lwm2m import FormatError
from lwm2m.dm import GET, PUT
from lwm2m.formats import CBOR, can_carry, decode, encode
from lwm2m.formats.capabilities import INSTANCE, RESOURCE, RESOURCE_INSTANCE
from objects import types as T
from tests.lwm2m.client_peer import registered
from tests.support import raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

CONTENT = 0x45
CHANGED = 0x44
NOT_ACCEPTABLE = 0x86


def _types(rtype: int) -> "Callable[[tuple[int, ...]], int | None]":
    return lambda path: rtype


def test_values_as_rfc_8949_encodes_them() -> None:
    # Byte forms from RFC 8949 Appendix A.
    cases = [
        (T.INTEGER, 100, "1864"),
        (T.INTEGER, -1000, "3903e7"),
        (T.UNSIGNED, 1000000, "1a000f4240"),
        (T.BOOLEAN, True, "f5"),
        (T.STRING, "IETF", "6449455446"),
        (T.OPAQUE, b"\x01\x02\x03\x04", "4401020304"),
        (T.OBJLNK, (3, 0), "63333a30"),
    ]
    for rtype, value, hexed in cases:
        payload = encode(CBOR, [((3, 0, 1), value)], (3, 0, 1), _types(rtype))
        assert payload == bytes.fromhex(hexed), (value, payload)
        assert decode(CBOR, payload, (3, 0, 1), _types(rtype)) == [((3, 0, 1), value)]


def test_floats_times_and_coercion() -> None:
    for value in (1.5, -0.0, 1e300):
        payload = encode(CBOR, [((3, 0, 1), value)], (3, 0, 1))
        assert decode(CBOR, payload, (3, 0, 1), _types(T.FLOAT)) == [((3, 0, 1), value)]
    # An int for a Float resource, an integral float for an Integer one.
    assert decode(CBOR, bytes.fromhex("0a"), (1, 0, 1), _types(T.FLOAT)) == [((1, 0, 1), 10.0)]
    # RFC 8949 Appendix A: tag 1 (epoch time) 1363896240.
    assert decode(CBOR, bytes.fromhex("c11a514b67b0"), (3, 0, 13), _types(T.TIME)) == [
        ((3, 0, 13), 1363896240)]
    assert decode(CBOR, bytes.fromhex("0a"), (3, 0, 11, 0)) == [((3, 0, 11, 0), 10)]


def test_refusals() -> None:
    for payload, base in [
        (b"", (3, 0, 1)),                      # no item
        (bytes.fromhex("0a0a"), (3, 0, 1)),    # two items
        (bytes.fromhex("820102"), (3, 0, 1)),  # an array
        (bytes.fromhex("f6"), (3, 0, 1)),      # null
        (bytes.fromhex("0a"), (3, 0)),         # an instance
        (bytes.fromhex("1f"), (3, 0, 1)),      # reserved additional information
    ]:
        raises(FormatError, decode, CBOR, payload, base, None)
    raises(FormatError, decode, CBOR, bytes.fromhex("6449455446"), (1, 0, 1), _types(T.INTEGER))
    raises(FormatError, encode, CBOR, [((3, 0, 1), 1), ((3, 0, 2), 2)], (3, 0, 1), None)
    raises(FormatError, encode, CBOR, [((3, 0, 1), (3, 70000))], (3, 0, 1), None)


def test_carries_single_values_only() -> None:
    assert can_carry(CBOR, RESOURCE, "1.1") and can_carry(CBOR, RESOURCE_INSTANCE, "1.1")
    assert not can_carry(CBOR, RESOURCE, "1.1", multiple=True)
    assert not can_carry(CBOR, INSTANCE, "1.1") and not can_carry(CBOR, RESOURCE, "1.0")


def test_lwm2m_1_1_int_211_and_212_cbor_reads_and_writes() -> None:
    _client, (server,) = registered()
    for path, rid in (("/1/0/0", 0), ("/1/0/1", 1), ("/1/0/6", 6), ("/1/0/7", 7)):
        response = server.dm(GET, path, accept=CBOR)
        assert response.code == CONTENT and response.content_format == CBOR, path
        value = decode(CBOR, response.payload, (1, 0, rid), _type_of)[0][1]
        assert value is not None
    response = server.dm(PUT, "/1/0/3", payload=encode(CBOR, [((1, 0, 3), 1010)], (1, 0, 3)),
                         content_format=CBOR)
    assert response.code == CHANGED
    read = server.dm(GET, "/1/0/3", accept=CBOR)
    assert decode(CBOR, read.payload, (1, 0, 3), _type_of) == [((1, 0, 3), 1010)]
    # A whole instance cannot go as plain CBOR.
    assert server.dm(GET, "/1/0", accept=CBOR).code == NOT_ACCEPTABLE


def _type_of(path: "tuple[int, ...]") -> "int | None":
    from objects.registry import type_of
    return type_of(path)
