"""A kill -9 at any moment during writes leaves the old or the new state, never a torn one.

DESIGN.md asks for it and issue 9 asks for at least 200 kills: a child process keeps
rewriting one name with alternating large contents, and is killed at a random moment
each round; after each kill the store must load and hold one of the two whole contents.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import sys
sys.path.insert(0, sys.argv[2])
from lwm2m.store import FileStore
store = FileStore(sys.argv[1])
states = [bytes([65]) * 200_000, bytes([66]) * 150_000]
print("ready", flush=True)
i = int(sys.argv[3])
while True:
    store.write("state", states[i % 2] + b"|end|%d" % (i % 2))
    i += 1
"""


def test_store_survives_200_kills(tmp_path: Path) -> None:
    from lwm2m.store import FileStore

    states = {b"A" * 200_000 + b"|end|0", b"B" * 150_000 + b"|end|1"}
    directory = str(tmp_path / "persist")
    rng = random.Random(7)
    seen = set()
    for round_no in range(200):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, directory, str(ROOT), str(round_no)],
            stdout=subprocess.PIPE,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0, 0.02))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
            if child.stdout is not None:
                child.stdout.close()
        store = FileStore(directory)  # loading after a kill must work
        content = store.read("state")
        if content is not None:
            assert content in states, f"round {round_no}: torn content of {len(content)} bytes"
            seen.add(content)
        assert store.names() in ([], ["state"])
    assert len(seen) == 2, "the kills never landed between writes of both states"
