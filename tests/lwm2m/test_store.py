"""The atomic blob store: basic behaviour (also under MicroPython)."""

import os

from lwm2m.store import FileStore
from tests.support import raises


def _fresh_dir(tag: str) -> str:
    base = "/tmp/pylwm2m-store-test-%s-%d" % (tag, os.getpid() if hasattr(os, "getpid") else 0)
    try:
        for name in os.listdir(base):
            os.remove(base + "/" + name)
    except OSError:
        pass
    return base + "/nested"


def test_write_read_replace_remove() -> None:
    store = FileStore(_fresh_dir("basic"))
    FileStore(store.directory)  # opening an existing directory is fine
    for name in store.names():
        store.remove(name)
    assert store.read("objects") is None
    store.write("objects", b"one")
    store.write("registration", b"reg")
    assert store.read("objects") == b"one"
    store.write("objects", b"two")
    assert store.read("objects") == b"two"
    assert store.names() == ["objects", "registration"]
    store.remove("objects")
    store.remove("objects")
    assert store.read("objects") is None
    store.clear()
    assert store.names() == []


def test_leftover_temporary_files_are_not_names() -> None:
    store = FileStore(_fresh_dir("tmp"))
    store.clear()
    with open(store.directory + "/objects.tmp", "wb") as fh:
        fh.write(b"torn")
    assert store.names() == []
    assert store.read("objects") is None
    store.clear()
    assert os.listdir(store.directory) == []


def test_names_are_checked() -> None:
    store = FileStore(_fresh_dir("names"))
    for bad in ["", ".hidden", "a/b", "x.tmp", "../up", "sp ace"]:
        raises(ValueError, store.write, bad, b"")
