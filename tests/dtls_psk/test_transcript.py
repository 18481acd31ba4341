"""The OpenSSL DTLS 1.2 PSK-AES128-CCM8 transcript of crypto_vectors.json, read back with
our record layer, message decoders and key schedule, through every backend."""

from binascii import unhexlify

from dtls_psk.keys import derive_keys, master_secret, psk_premaster_secret, verify_data
from dtls_psk.messages import (
    CLIENT_HELLO,
    CLIENT_KEY_EXCHANGE,
    FINISHED,
    HELLO_VERIFY_REQUEST,
    SERVER_HELLO,
    SERVER_HELLO_DONE,
    SERVER_KEY_EXCHANGE,
    ClientHello,
    HelloVerifyRequest,
    ServerHello,
    decode_empty,
    decode_psk_identity,
    pull_fragments,
    whole_message,
)
from dtls_psk.records import AeadProtection, Record, parse_records
from tests.dtls_psk.backends import all_backends
from tests.support import load_vectors

TRANSCRIPT = load_vectors("crypto_vectors.json")["dtls12_psk_ccm8_transcripts"][0]


def h(text: str) -> bytes:
    return unhexlify(text)


def _records() -> "list[tuple[str, Record]]":
    out = []
    for dgram in TRANSCRIPT["datagrams"]:
        for rec in parse_records(h(dgram["hex"]), 0):
            out.append((dgram["dir"], rec))
    return out


def test_every_record_parses_as_recorded() -> None:
    recs = _records()
    derived = TRANSCRIPT["derived"]["records"]
    assert len(recs) == len(derived)
    for i, (direction, rec) in enumerate(recs):
        want = derived[i]
        assert direction == want["dir"]
        assert rec.content_type == want["content_type"]
        assert rec.epoch == want["epoch"] and rec.seq == want["seq"]
        assert len(rec.fragment) == want["length"]


def test_handshake_messages_decode() -> None:
    seen = []
    for _, rec in _records():
        if rec.content_type != 22 or rec.epoch:
            continue
        for frag in pull_fragments(rec.fragment):
            seen.append(frag.msg_type)
            if frag.msg_type == CLIENT_HELLO:
                ch = ClientHello.decode(frag.body)
                assert ch.cipher_suites == [0xC0A8, 0x00FF]
                assert ch.random == h(TRANSCRIPT["derived"]["client_random"])
                assert ch.encode() == frag.body
            elif frag.msg_type == HELLO_VERIFY_REQUEST:
                assert len(HelloVerifyRequest.decode(frag.body).cookie) == 20
            elif frag.msg_type == SERVER_HELLO:
                sh = ServerHello.decode(frag.body)
                assert sh.cipher_suite == 0xC0A8 and sh.encode() == frag.body
            elif frag.msg_type == SERVER_KEY_EXCHANGE:
                assert decode_psk_identity(frag.body) == b""
            elif frag.msg_type == SERVER_HELLO_DONE:
                decode_empty(frag.body)
            elif frag.msg_type == CLIENT_KEY_EXCHANGE:
                assert decode_psk_identity(frag.body) == b"Client_identity"
    assert seen == [1, 3, 1, 2, 12, 14, 16]


def test_keys_records_and_finished_verify() -> None:
    derived = TRANSCRIPT["derived"]
    cr, sr = h(derived["client_random"]), h(derived["server_random"])
    pms = psk_premaster_secret(h(TRANSCRIPT["psk"]))
    assert pms == h(derived["pre_master_secret"])
    keylog_master = TRANSCRIPT["keylog_line"].split()[2]
    for backend in all_backends():
        ms = master_secret(backend, pms, cr + sr, False)
        assert ms == h(keylog_master) == h(derived["master_secret"]), backend.name
        _, _, ckey, skey, civ, siv = derive_keys(backend, ms, cr, sr, 0, 16, 4)
        kb = derived["key_block"]
        assert (ckey, skey, civ, siv) == (
            h(kb["client_write_key"]),
            h(kb["server_write_key"]),
            h(kb["client_write_iv"]),
            h(kb["server_write_iv"]),
        )
        readers = {
            "c2s": AeadProtection(backend, ckey, civ, 8),
            "s2c": AeadProtection(backend, skey, siv, 8),
        }
        transcript = b""
        first_hello = True
        finished = 0
        for i, (direction, rec) in enumerate(_records()):
            want = derived["records"][i]
            if rec.epoch == 0:
                if rec.content_type != 22:
                    continue
                for frag in pull_fragments(rec.fragment):
                    # RFC 6347 §4.2.1: the first ClientHello and the HelloVerifyRequest
                    # stay out of the transcript.
                    if frag.msg_type == HELLO_VERIFY_REQUEST:
                        continue
                    if frag.msg_type == CLIENT_HELLO and first_hello:
                        first_hello = False
                        continue
                    transcript += whole_message(frag.msg_type, frag.seq, frag.body)
                continue
            opened = readers[direction].open(rec)
            assert opened is not None, (backend.name, want)
            ctype, plain = opened
            assert ctype == want["content_type"] and plain == h(want["plaintext_hex"])
            if ctype == 22:
                (frag,) = pull_fragments(plain)
                assert frag.msg_type == FINISHED
                digest = backend.sha256(transcript)
                assert digest == h(want["finished"]["transcript_hash_hex"])
                assert frag.body == verify_data(backend, ms, direction == "c2s", digest)
                transcript += whole_message(frag.msg_type, frag.seq, frag.body)
                finished += 1
            # A flipped tag bit fails authentication.
            frag_bytes = bytearray(rec.fragment)
            frag_bytes[-1] ^= 1
            rec.fragment = bytes(frag_bytes)
            assert readers[direction].open(rec) is None
        assert finished == 2
