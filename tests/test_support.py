"""The shared test helpers themselves; also the harness's first MicroPython case."""

from tests.support import load_vectors, raises


def test_vectors_are_copied_with_their_sources() -> None:
    for name in ("coap_vectors.json", "lwm2m_vectors.json", "crypto_vectors.json"):
        doc = load_vectors(name)
        groups = [value for key, value in doc.items() if key != "meta"]
        assert groups, name
        for group in groups:
            for vector in group:
                assert vector.get("source") or vector.get("generated_by"), (name, vector["id"])


def test_raises_returns_the_exception() -> None:
    def boom() -> None:
        raise ValueError("x")

    exc = raises(ValueError, boom)
    assert str(exc) == "x"


def test_raises_fails_when_nothing_is_raised() -> None:
    def quiet() -> None:
        pass

    try:
        raises(ValueError, quiet)
    except AssertionError:
        return
    raise AssertionError("raises() accepted a call that raised nothing")
