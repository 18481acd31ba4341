"""A directory of named blobs where every write is atomic.

DESIGN.md "Configuration and persistence": a kill at any moment leaves the old or the
new content of a name, never a torn one. A write goes to ``<name>.tmp``, is flushed and
fsynced, then renamed over ``<name>`` (rename is atomic on POSIX), and the directory
is fsynced so the rename itself survives a power cut. Leftover ``.tmp`` files from an
interrupted write are ignored and cleaned up.

This is the one module of ``lwm2m`` that touches files: the hosts use it to persist
what the sans-IO core hands them; the core itself never imports it. It runs on CPython
and on MicroPython (which has no ``os.fsync``: there the flush is what it can do).
"""

import os

_TMP = ".tmp"
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"


def _fsync(fd: int) -> None:
    sync = getattr(os, "fsync", None)
    if sync is not None:
        sync(fd)


def _is_dir(path: str) -> bool:
    try:
        return bool(os.stat(path)[0] & 0o040000)
    except OSError:
        return False


class FileStore:
    """Named blobs in one directory, each replaced atomically."""

    __slots__ = ("directory",)

    def __init__(self, directory: str) -> None:
        self.directory = directory.rstrip("/") or "/"
        if not _is_dir(self.directory):
            _makedirs(self.directory)

    def _path(self, name: str) -> str:
        if not name or name[0] == "." or name.endswith(_TMP):
            raise ValueError("bad store name %r" % (name,))
        for ch in name:
            if ch not in _NAME_CHARS:
                raise ValueError("bad store name %r" % (name,))
        return self.directory + "/" + name

    def read(self, name: str) -> "bytes | None":
        """The content stored under ``name``, or None when there is none."""
        try:
            with open(self._path(name), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def write(self, name: str, data: bytes) -> None:
        """Replace the content of ``name`` atomically."""
        path = self._path(name)
        tmp = path + _TMP
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            fileno = getattr(fh, "fileno", None)
            if fileno is not None:
                _fsync(fileno())
        os.rename(tmp, path)
        self._sync_directory()

    def remove(self, name: str) -> None:
        """Forget ``name``; nothing happens when it is not stored."""
        try:
            os.remove(self._path(name))
        except OSError:
            return
        self._sync_directory()

    def names(self) -> "list[str]":
        """The stored names, sorted; leftovers of interrupted writes are not names."""
        out = []
        for entry in os.listdir(self.directory):
            if entry.endswith(_TMP) or entry.startswith("."):
                continue
            out.append(entry)
        out.sort()
        return out

    def clear(self) -> None:
        """Remove every stored name and every leftover temporary file."""
        for entry in os.listdir(self.directory):
            if entry.startswith("."):
                continue
            try:
                os.remove(self.directory + "/" + entry)
            except OSError:
                pass
        self._sync_directory()

    def _sync_directory(self) -> None:
        # POSIX: the rename is durable only once the directory entry is synced.
        opener = getattr(os, "open", None)
        if opener is None or getattr(os, "fsync", None) is None:
            return
        try:
            fd = opener(self.directory, getattr(os, "O_RDONLY", 0))
        except OSError:
            return
        try:
            _fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _makedirs(path: str) -> None:
    parts = path.split("/")
    current = ""
    for i, part in enumerate(parts):
        current = part if i == 0 else current + "/" + part
        if not current or _is_dir(current):
            continue
        os.mkdir(current)
