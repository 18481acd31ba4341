"""The core must run on MicroPython: no run-time imports of what it lacks.

DESIGN.md: ``typing``, ``dataclasses``, ``enum``, ``abc``, ``__future__`` are missing on
MicroPython, and ``asyncio`` belongs to hosts only. An import under
``if TYPE_CHECKING:`` is fine (it never runs). Hosts are the asyncio / AT front-ends
and the command-line tools; ``lwm2m/mpy`` may use MicroPython's own asyncio.
Import direction: ``objects``, ``coap`` and ``dtls_psk`` never import ``lwm2m`` nor each
other.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE_PACKAGES = ("coap", "dtls_psk", "objects", "lwm2m")
MISSING_ON_MICROPYTHON = {"typing", "dataclasses", "enum", "abc", "__future__"}
HOST_DIRS = ("lwm2m/aio/", "lwm2m/at/", "lwm2m/server/aio/")
HOST_FILES = ("__main__.py", "cli.py", "tool.py")
LOWER_PACKAGES = ("coap", "dtls_psk", "objects")


def _module_files() -> list[pathlib.Path]:
    return sorted(p for pkg in CORE_PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _is_host(rel: str) -> bool:
    return rel.startswith(HOST_DIRS) or rel.rsplit("/", 1)[-1] in HOST_FILES


def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level module) for every import not under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _violations() -> list[str]:
    bad = []
    for path in _module_files():
        rel = path.relative_to(ROOT).as_posix()
        package = rel.split("/")[0]
        for line, name in _runtime_imports(ast.parse(path.read_text(), rel)):
            where = f"{rel}:{line} imports {name}"
            if package in LOWER_PACKAGES and name in CORE_PACKAGES and name != package:
                bad.append(where + " (import direction: see DESIGN.md)")
            if _is_host(rel):
                continue
            if name in MISSING_ON_MICROPYTHON:
                bad.append(where + " (missing on MicroPython; guard with TYPE_CHECKING)")
            elif name == "asyncio" and not rel.startswith("lwm2m/mpy/"):
                bad.append(where + " (asyncio belongs to the hosts)")
    return bad


def test_core_imports_run_on_micropython() -> None:
    bad = _violations()
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import typing\n", [(1, "typing")]),
        ("from dataclasses import dataclass\n", [(1, "dataclasses")]),
        ("def f():\n    import enum\n", [(2, "enum")]),
        ("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from typing import Any\n", []),
        ("if TYPE_CHECKING:\n    pass\nelse:\n    import abc\n", [(4, "abc")]),
        ("from . import sibling\n", []),
    ],
)
def test_the_rule_sees_what_it_must(source: str, expected: list[tuple[int, str]]) -> None:
    assert _runtime_imports(ast.parse(source)) == expected
