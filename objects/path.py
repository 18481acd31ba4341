"""LwM2M paths: a tuple of 1 to 4 ints, ``(oid,)`` to ``(oid, iid, rid, riid)``.

Text form ``/3/0/13``; ``/`` is the empty path (root), used only by Discover and
Bootstrap. Object and instance ids are 0..65535 (instance 65535 is reserved: OMA
LwM2M 1.1.1 Core §7.1 — it is the "no instance" marker in Objlnk).
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    Path: TypeAlias = tuple[int, ...]

MAX_ID = 65535


class PathError(ValueError):
    """A path that is not ``/oid[/iid[/rid[/riid]]]`` with ids in 0..65535."""


def parse_path(text: str) -> "Path":
    """``"/3/0/13"`` -> ``(3, 0, 13)``; ``"/"`` -> ``()``. A trailing slash is allowed."""
    if not text.startswith("/"):
        raise PathError("path must start with '/': %r" % (text,))
    body = text[1:]
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        return ()
    parts = body.split("/")
    if len(parts) > 4:
        raise PathError("path has more than 4 levels: %r" % (text,))
    ids = []
    for part in parts:
        if not part or not part.isdigit() or (len(part) > 1 and part[0] == "0"):
            raise PathError("path level %r is not an id in %r" % (part, text))
        value = int(part)
        if value > MAX_ID:
            raise PathError("id %d is above %d in %r" % (value, MAX_ID, text))
        ids.append(value)
    return tuple(ids)


def format_path(path: "Path") -> str:
    """``(3, 0, 13)`` -> ``"/3/0/13"``; ``()`` -> ``"/"``."""
    if not path:
        return "/"
    return "/" + "/".join([str(i) for i in path])


def is_prefix(prefix: "Path", path: "Path") -> bool:
    """True when ``path`` lies at or below ``prefix``."""
    return path[: len(prefix)] == prefix
