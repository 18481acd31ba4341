"""Shared lexing for the BG96 text files: comments out, line numbers kept."""

from lwm2m.config.errors import ConfigError


def strip_comments(text: str, file: "str | None") -> str:
    """Blank out ``/* ... */`` and ``// ...`` comments, keeping every newline in place so
    that offsets still map to the right line numbers."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ConfigError("comment opened with /* is never closed", file, line_of(text, i))
            out.append("".join([c if c == "\n" else " " for c in text[i : end + 2]]))
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            if end < 0:
                end = n
            out.append(" " * (end - i))
            i = end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def parse_int(value: str, file: "str | None", line: int, key: str) -> int:
    """A decimal integer, with an error that says what was found instead."""
    body = value[1:] if value[:1] in ("-", "+") else value
    if not body or not body.isdigit():
        raise ConfigError("expected a whole number, got %r" % value, file, line, key)
    return int(value)
