"""Registries, typed accessors and the codec's rules beyond the vectors (also under MicroPython)."""

from coap import codes, formats, options, types
from coap.message import Message, MessageFormatError, decode
from tests.support import raises


def test_option_properties_come_from_the_number() -> None:
    # RFC 7252 §5.10 table: C, U, N columns
    assert options.is_critical(options.URI_PATH)
    assert options.is_critical(options.BLOCK1)
    assert not options.is_critical(options.ETAG)
    assert options.is_unsafe(options.URI_HOST)
    assert not options.is_unsafe(options.ETAG)
    assert options.is_no_cache_key(options.SIZE1)
    assert not options.is_no_cache_key(options.MAX_AGE)
    assert options.is_no_cache_key(options.SIZE2)  # RFC 7959 §4: 28 = 0b11100 -> N
    assert options.is_repeatable(options.URI_QUERY)
    assert not options.is_repeatable(options.CONTENT_FORMAT)
    assert options.option_format(options.OBSERVE) == options.UINT
    assert options.option_name(9999) == "(9999: unassigned)"
    assert options.option_name(128) == "(128: reserved)"
    assert options.parse_option_number("uri-path") == 11
    assert options.parse_option_number("60") == 60
    raises(ValueError, options.parse_option_number, "Nope")


def test_codes() -> None:
    assert codes.code_text(codes.CONTENT) == "2.05"
    assert codes.code_name(codes.NOT_FOUND) == "Not Found"
    assert codes.code_name(0x69) == "3.09"
    assert codes.parse_code("4.13") == codes.REQUEST_ENTITY_TOO_LARGE
    assert codes.parse_code("ipatch") == codes.IPATCH
    assert codes.code_class(codes.CONTINUE) == 2
    assert codes.code_detail(codes.CONTINUE) == 31
    assert codes.is_request(codes.FETCH)
    assert codes.is_response(codes.GATEWAY_TIMEOUT)
    assert not codes.is_request(codes.EMPTY)
    raises(ValueError, codes.parse_code, "9.99")
    raises(ValueError, codes.parse_code, "Teapot")


def test_content_formats() -> None:
    for number in (0, 40, 42, 60, 110, 112, 11542, 11543, 11544, 1541, 1542, 1543):
        assert number in formats.NAMES
    assert formats.format_name(formats.LWM2M_TLV) == "application/vnd.oma.lwm2m+tlv"
    assert formats.format_name(7) == "(7)"


def test_typed_accessors_round_trip() -> None:
    m = Message(types.CON, codes.GET, 0x1234, b"\xab\xcd")
    m.uri_path = "/3/0/7"
    m.uri_query = ["ep=a", "lt=60"]
    m.accept = formats.LWM2M_TLV
    m.observe = 0
    m.block2 = (3, False, 2)
    m.size2 = 300
    m.uri_host = "example.org"
    m.uri_port = 5683
    m.if_none_match = True
    m.etag = b"\x01\x02"
    m.max_age = 30
    back = decode(m.encode())
    assert back == m
    assert back.uri_path == ("3", "0", "7")
    assert back.uri_path_text == "/3/0/7"
    assert back.uri_query == ("ep=a", "lt=60")
    assert back.accept == 11542
    assert back.observe == 0
    assert back.block2 == (3, False, 2)
    assert back.size2 == 300
    assert back.uri_host == "example.org"
    assert back.uri_port == 5683
    assert back.if_none_match
    assert back.etag == b"\x01\x02"
    assert back.max_age == 30
    assert back.content_format is None
    assert back.block1 is None
    m.observe = None
    m.uri_path = "/"
    assert m.observe is None
    assert m.uri_path == ()


def test_location_and_no_response_and_size1() -> None:
    m = Message(types.ACK, codes.CREATED, 7, b"\x01")
    m.location_path = ["rd", "5a3f"]
    m.location_query = ["x=1"]
    m.content_format = formats.TEXT
    back = decode(m.encode())
    assert back.location_path == ("rd", "5a3f")
    assert back.location_query == ("x=1",)
    assert back.content_format == 0
    m = Message(types.NON, codes.POST, 1, b"\x02")
    m.no_response = 26
    m.size1 = 4096
    m.block1 = (0, True, 6)
    m.proxy_uri = "coap://h/p"
    m.if_match = [b"a", b"bc"]
    back = decode(m.encode())
    assert back.no_response == 26
    assert back.size1 == 4096
    assert back.block1 == (0, True, 6)
    assert back.proxy_uri == "coap://h/p"
    assert back.if_match == [b"a", b"bc"]


def test_options_stay_in_wire_order() -> None:
    m = Message(types.CON, codes.GET, 1)
    m.add_option(options.URI_QUERY, "b")
    m.add_option(options.URI_PATH, "x")
    m.add_option(options.URI_QUERY, "a")
    m.add_option(options.URI_PATH, "y")
    assert [n for n, _ in m.options] == [11, 11, 15, 15]
    assert m.uri_path == ("x", "y")
    assert m.uri_query == ("b", "a")


def test_out_of_order_options_encode_sorted_and_stable() -> None:
    m = Message(types.CON, codes.GET, 1, b"", [(15, b"q1"), (11, b"p1"), (15, b"q2"), (11, b"p2")])
    back = decode(m.encode())
    assert back.options == [(11, b"p1"), (11, b"p2"), (15, b"q1"), (15, b"q2")]
    assert back == m


def test_unknown_options_kept_and_critical_ones_detected() -> None:
    m = Message(types.CON, codes.GET, 1)
    m.add_option(65001, b"\x00")  # critical (odd), unassigned
    m.add_option(65000, b"zz")  # elective
    back = decode(m.encode())
    assert back.get_option(65000) == b"zz"
    assert back.unrecognized_critical() == [65001]
    assert back.unrecognized_critical(known=[65001]) == []
    # RFC 7252 §5.4.3: a known critical option with a bad length counts as unrecognized
    bad = Message(types.CON, codes.GET, 1, b"", [(options.BLOCK1, b"\x01\x02\x03\x04")])
    assert bad.unrecognized_critical() == [options.BLOCK1]
    assert bad.block1 is None
    elective = Message(types.CON, codes.GET, 1, b"", [(options.SIZE2, b"\x01\x02\x03\x04\x05")])
    assert elective.size2 is None


def test_decode_rejections_name_the_reason() -> None:
    cases = [
        (b"\x40\x01", "short header"),
        (b"\x80\x01\x00\x00", "version"),
        (b"\x49\x01\x00\x00" + bytes(9), "token length"),
        (b"\x48\x01\x00\x00\x01", "token"),
        (b"\x40\x01\x00\x00\xf1\x00", "nibble 15"),
        (b"\x40\x01\x00\x00\x1f\x00", "nibble 15"),
        (b"\x40\x01\x00\x00\x13ab", "past the end"),
        (b"\x40\x01\x00\x00\xd0", "extension"),
        (b"\x40\x01\x00\x00\x0e\x01", "extension"),
        (b"\x40\x01\x00\x00\xff", "payload marker"),
        (b"\x40\x00\x00\x00\x00", "empty message"),
        (b"\x40\x01\x00\x00\xe0\xff\x00" + b"\xe0\xff\x00", "beyond 65535"),
    ]
    for data, reason in cases:
        exc = raises(MessageFormatError, decode, data)
        assert reason in str(exc), (data, str(exc))


def test_bytearray_and_memoryview_input() -> None:
    data = b"\x44\x01\xa4\xd2\xb0\x74\x3c\x00\xb1\x33\x01\x30"
    assert decode(bytearray(data)) == decode(data)
    assert decode(memoryview(data)).uri_path == ("3", "0")


def test_encode_refuses_what_cannot_be_sent() -> None:
    raises(ValueError, Message(types.CON, codes.GET, 1, bytes(9)).encode)
    raises(ValueError, Message(types.CON, codes.GET, 70000).encode)
    raises(ValueError, Message(4, codes.GET, 1).encode)
    raises(ValueError, Message(-1, codes.GET, 1).encode)
    raises(ValueError, Message(types.CON, codes.EMPTY, 1, b"\x01").encode)
    raises(ValueError, Message(types.CON, codes.EMPTY, 1, payload=b"x").encode)
    raises(ValueError, Message(types.CON, codes.GET, 1).add_option, 70000, b"")
    raises(TypeError, Message(types.CON, codes.GET, 1).add_option, 11, 1.5)


def test_long_option_values_use_extended_lengths() -> None:
    for length in (12, 13, 268, 269, 1034, 2000):
        m = Message(types.CON, codes.POST, 2, b"t", [(options.PROXY_URI, b"u" * length)])
        back = decode(m.encode())
        assert back.get_option(options.PROXY_URI) == b"u" * length


def test_extended_option_headers_are_the_same_built_or_remembered() -> None:
    # RFC 7252 §3.1 by hand: a 20-byte Uri-Path (11) is length nibble 13 and one byte
    # 20 - 13; Block1 (27) after Content-Format (12) is delta nibble 13 and one byte
    # 15 - 13; a 300-byte Proxy-Uri (35) is length nibble 14 and two bytes 300 - 269.
    m = Message(types.CON, codes.PUT, 0x0102, b"", [
        (options.URI_PATH, b"p" * 20),
        (options.CONTENT_FORMAT, b"\x2d\x16"),
        (options.BLOCK1, b"\x0e"),
        (options.PROXY_URI, b"u" * 300),
    ])
    wire = (
        b"\x40\x03\x01\x02"
        + b"\xbd\x07" + b"p" * 20
        + b"\x12\x2d\x16"
        + b"\xd1\x02\x0e"
        + b"\x8e\x00\x1f" + b"u" * 300
    )
    for _ in range(3):  # the first time builds the headers, later times look them up
        assert m.encode() == wire
    assert decode(wire) == m


def test_remembered_option_headers_stay_bounded() -> None:
    from coap import message

    for delta in range(0, 269, 7):
        for length in range(0, 269, 5):
            m = Message(types.CON, codes.GET, 1, b"", [(delta, b"v" * length)])
            assert decode(m.encode()).options == [(delta, b"v" * length)]
    entries = len(message._OPTION_HEADERS) + sum(len(r) for r in message._OPTION_HEADERS)
    assert entries <= 13 + 13 * 13 + message._HEADER_MEMO_LIMIT


def test_string_options_that_are_not_utf8() -> None:
    m = decode(b"\x40\x01\x00\x00\xb1\xff")
    raises(MessageFormatError, lambda: m.uri_path)


def test_equality_and_copy() -> None:
    a = Message(types.CON, codes.GET, 1, b"x", [(11, b"a")], b"p")
    b = a.copy()
    assert a == b
    assert (a != b) is False
    b.add_option(15, b"q")
    assert a != b
    assert a.options == [(11, b"a")]
    assert "GET" in repr(a)
