"""PSK files ``ssl/<short-server-id>_server.psk``: one line ``identity:hexkey``, as GnuTLS
``psktool`` writes it (spec/bg96.md)."""

import binascii

from lwm2m.config.errors import ConfigError

# RFC 4279 §5.3: identities up to 2^16-1 bytes, keys up to 2^16-1 bytes; DTLS stacks
# limit keys far lower (OpenSSL: 512 bytes). Keys past that are surely a mistake.
MAX_KEY_BYTES = 512


class PskCredential:
    """A PSK identity (as text) and its key (bytes)."""

    __slots__ = ("identity", "key")

    def __init__(self, identity: str, key: bytes) -> None:
        self.identity = identity
        self.key = key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PskCredential):
            return NotImplemented
        return self.identity == other.identity and self.key == other.key

    def __repr__(self) -> str:
        # Never print the key itself.
        return "PskCredential(%r, <%d-byte key>)" % (self.identity, len(self.key))


def parse_psk_file(text: str, file: str = "server.psk") -> PskCredential:
    """Parse a PSK file. The identity may itself contain ``:`` (the BG96's
    ``IMEI:<imei>_QUECTELTMOBILEDDI`` does), so the key is what follows the last one."""
    found = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if found is not None:
            raise ConfigError("expected one 'identity:hexkey' line, found another", file, number)
        if ":" not in line:
            raise ConfigError("expected 'identity:hexkey', found no ':'", file, number)
        identity, hexkey = line.rsplit(":", 1)
        if not identity:
            raise ConfigError("the PSK identity before ':' is empty", file, number)
        if not hexkey or len(hexkey) % 2:
            raise ConfigError("the key after ':' must be an even number of hex digits",
                              file, number)
        try:
            key = binascii.unhexlify(hexkey)
        except ValueError:
            raise ConfigError("the key after ':' is not hexadecimal", file, number) from None
        if len(key) > MAX_KEY_BYTES:
            raise ConfigError("the key is longer than %d bytes" % MAX_KEY_BYTES, file, number)
        found = PskCredential(identity, key)
    if found is None:
        raise ConfigError("expected 'identity:hexkey', the file is empty", file)
    return found


def format_psk_file(credential: PskCredential) -> str:
    """The file text for a credential, as ``psktool`` writes it."""
    if not credential.identity or "\n" in credential.identity:
        raise ValueError("a PSK identity must be one non-empty line")
    return "%s:%s\n" % (credential.identity, binascii.hexlify(credential.key).decode())
