"""kill -9 at random moments while the persistence layer writes: it always loads, holding
the old or the new state of each name, never a torn or mixed one (issue 9 §7).

A forked child (fork: no interpreter start per round, so 200 rounds take seconds) keeps
saving a real Client's objects, its registration and a DTLS session through
``lwm2m.persist.Persistence``, alternating between two states; the parent kills it at a
random moment each round, then loads everything into a fresh Client.
"""

import os
import random
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lwm2m.client import Client
from lwm2m.clientconfig import ClientConfig, ServerAccount, build_client
from lwm2m.persist import Persistence


@pytest.fixture
def tmp_path() -> "Iterator[Path]":
    # Our own temporary directory: pytest's basetemp of a long session can be pruned by
    # other pytest sessions started meanwhile on a shared machine.
    with tempfile.TemporaryDirectory(prefix="pylwm2m-") as name:
        yield Path(name)


ROUNDS = 200
# Two whole states: (lifetime, the size and byte of a large Server Public Key, the
# registration location, the DTLS session blob). Big values make writes slow enough
# for kills to land inside them.
STATES = [(111, 300_000, 0x41, "/rd/a", b"S" * 2000), (222, 200_000, 0x42, "/rd/b", b"T" * 3000)]


def _client() -> Client:
    config = ClientConfig(endpoint="kill-ep",
                          servers=[ServerAccount("coap://127.0.0.1:5683", 101, 60)])
    return build_client(config, os.urandom)


def _apply(client: Client, state: "tuple[int, int, int, str, bytes]") -> None:
    lifetime, size, byte, _location, _session = state
    client.objects[1].set_value(0, 1, lifetime)
    client.objects[0].set_value(0, 4, bytes([byte]) * size)


def _writer(directory: str, start: int) -> None:
    store = Persistence(directory)
    client = _client()
    i = start
    while True:
        state = STATES[i % 2]
        _apply(client, state)
        store.save_objects(client)
        store.save_registration(101, {"endpoint": "kill-ep", "uri": "coap://127.0.0.1:5683",
                                      "location": state[3], "lifetime_s": state[0],
                                      "since_s": 1, "port": 0})
        store.save_dtls_session(101, state[4])
        i += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_persistence_survives_200_kills(tmp_path: Path) -> None:
    directory = str(tmp_path / "persist")
    Persistence(directory)
    rng = random.Random(9)
    seen_objects = set()
    torn_moments = 0
    for round_no in range(ROUNDS):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: signal readiness, then write until killed
            try:
                os.close(read_end)
                os.write(write_end, b"r")
                _writer(directory, round_no)
            finally:
                os._exit(0)
        os.close(write_end)
        try:
            assert os.read(read_end, 1) == b"r"
            time.sleep(rng.uniform(0, 0.03))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
        store = Persistence(directory)
        client = _client()
        loaded = store.load_objects(client)
        if not loaded:
            assert round_no < 3, "the objects vanished after round %d" % round_no
            continue
        lifetime = client.objects[1].get_value(0, 1)
        key = client.objects[0].get_value(0, 4)
        # Objects are one file: lifetime and key come from the same save, whole.
        state = next(s for s in STATES if s[0] == lifetime)
        assert key == bytes([state[2]]) * state[1], "round %d: mixed objects" % round_no
        seen_objects.add(lifetime)
        registrations = store.registrations()
        if registrations:
            record = registrations[101]
            assert (record["lifetime_s"], record["location"]) in [(s[0], s[3]) for s in STATES]
        session = store.dtls_session(101)
        assert session in (None, STATES[0][4], STATES[1][4])
        leftovers = [n for n in os.listdir(directory) if n.endswith(".tmp")]
        torn_moments += bool(leftovers)
    assert seen_objects == {111, 222}, "the kills never landed between saves of both states"
    # Some kills landed inside a write (a temporary file was left): the test bit.
    assert torn_moments > 0
