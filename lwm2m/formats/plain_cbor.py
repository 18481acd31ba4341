"""Plain CBOR, ``application/cbor`` (60): one resource or resource-instance value as
one CBOR data item (OMA LwM2M 1.1.1 Core §7.4.6; ETS 1.1-int-211 / int-212).

String and Corelnk go as a text string, Integer / Unsigned Integer / Time as an
integer (a Time may also arrive under tag 1, epoch-based), Float as a float, Boolean
as true / false, Opaque as a byte string, Objlnk as the text ``"oid:iid"``. Decoding
brings the item to the resource's declared type (an integral float to an Integer, an
int to a Float, ``"oid:iid"`` to an Objlnk) and refuses what cannot be that type.
"""

from lwm2m.errors import FormatError
from lwm2m.formats import cbor
from lwm2m.formats.values import coerce, no_types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 60


def _single_path(base: "Path | None") -> "Path":
    if base is None or not 3 <= len(base) <= 4:
        raise FormatError("plain CBOR carries one resource or resource instance value")
    return base


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """The value of the resource (instance) ``base``: ``[(base, value)]``."""
    path = _single_path(base)
    item = cbor.loads(bytes(data))
    if item is None or type(item) in (list, dict):
        raise FormatError("plain CBOR holds one value, not %s" % type(item).__name__)
    if type(item) is cbor.DecimalFraction:
        raise FormatError("plain CBOR holds no decimal fractions")
    return [(path, coerce(item, (type_of or no_types)(path[:3]), path))]


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """One record at ``base`` -> its value as one CBOR data item."""
    path = _single_path(base)
    records = list(records)
    if len(records) != 1 or records[0][0] != path:
        raise FormatError("plain CBOR for %r carries exactly that value" % (path,))
    value = records[0][1]
    if type(value) is tuple:
        if len(value) != 2 or not all(type(i) is int and 0 <= i <= 0xFFFF for i in value):
            raise FormatError("Objlnk ids must be two ints in 0..65535: %r" % (value,))
        value = "%d:%d" % value
    elif type(value) not in (int, float, bool, str, bytes):
        raise FormatError("plain CBOR cannot carry %r" % (value,))
    return cbor.dumps(value)
