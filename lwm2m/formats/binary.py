"""Precompiled ``struct`` formats where the interpreter has ``struct.Struct`` (CPython),
plain ``struct`` calls where it does not (MicroPython)."""

import struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_HAS_STRUCT = hasattr(struct, "Struct")


def unpacker(fmt: str) -> "Callable[[bytes, int], tuple[Any, ...]]":
    """``f(data, offset)`` -> the tuple ``struct.unpack_from(fmt, data, offset)`` gives."""
    if _HAS_STRUCT:
        return struct.Struct(fmt).unpack_from

    def unpack_from(data: bytes, offset: int) -> "tuple[Any, ...]":
        return struct.unpack_from(fmt, data, offset)

    return unpack_from


def packer(fmt: str) -> "Callable[..., bytes]":
    """``f(*values)`` -> ``struct.pack(fmt, *values)``."""
    if _HAS_STRUCT:
        return struct.Struct(fmt).pack

    def pack(*values: "Any") -> bytes:
        return struct.pack(fmt, *values)

    return pack
