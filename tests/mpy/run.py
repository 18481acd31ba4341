# The MicroPython side of the harness: import each named test module and call every
# zero-argument ``test_*`` function in it. Usage:
#     micropython tests/mpy/run.py ROOT MODULE [MODULE ...]
# ROOT goes first on sys.path so ``coap``, ``lwm2m``, ... and ``tests`` import from the
# checkout. Prints one line per failure with its traceback, then "N passed, N failed".
import gc
import sys


def _load(name):
    mod = __import__(name)
    for part in name.split(".")[1:]:
        mod = getattr(mod, part)
    return mod


def main(argv):
    sys.path.insert(0, argv[1])
    passed = 0
    failed = 0
    for name in argv[2:]:
        try:
            mod = _load(name)
        except Exception as exc:  # an import error fails the whole module
            failed += 1
            print("FAIL", name, "(import)")
            sys.print_exception(exc)
            continue
        skip = getattr(mod, "CPYTHON_ONLY", ())
        for attr in sorted(dir(mod)):
            if not attr.startswith("test_") or attr in skip:
                continue
            fn = getattr(mod, attr)
            if not callable(fn):
                continue
            gc.collect()  # each test starts on a collected heap, as large buffers need one
            try:
                fn()
            except Exception as exc:
                failed += 1
                print("FAIL", name + "." + attr)
                sys.print_exception(exc)
            else:
                passed += 1
    print("micropython: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


sys.exit(main(sys.argv))
