# The MicroPython host scenario (issue 9 §2), run by tests/lwm2m/test_mpy_host.py:
#     micropython tests/mpy/host_scenario.py ROOT URI ENDPOINT [IDENTITY HEXKEY]
# The client registers, lets the server read, write and observe, lowers the battery level
# every 100 ms (the observed resource), and when the server executes Reboot (/3/0/4) it
# de-registers, prints its state and micropython.mem_peak(), and exits 0.
import sys

sys.path.insert(0, sys.argv[1])

import asyncio
import binascii

from lwm2m import events as ev
from lwm2m.clientconfig import ClientConfig, ServerAccount
from lwm2m.mpy import MpyClient


def peak() -> int:
    try:
        import micropython

        return int(micropython.mem_peak())
    except (ImportError, AttributeError):
        return -1


def live() -> int:
    # The heap the running client holds (after a collection), apart from the peak.
    try:
        import gc

        import micropython

        gc.collect()
        return int(micropython.mem_current())
    except (ImportError, AttributeError):
        return -1


async def main() -> int:
    uri, endpoint = sys.argv[2], sys.argv[3]
    identity = sys.argv[4] if len(sys.argv) > 5 else None
    key = binascii.unhexlify(sys.argv[5]) if len(sys.argv) > 5 else None
    config = ClientConfig(endpoint=endpoint, servers=[
        ServerAccount(uri, 101, 120, identity=identity, key=key)], model="micropython")
    client = MpyClient(config)
    client.build()
    battery = 100
    client.set_value("/3/0/9", battery)
    rebooting = []
    client.on_reboot(lambda: rebooting.append(1))
    await client.start()
    if not await client.wait_ready(20000):
        print("not ready:", client.state, client.events)
        return 1
    print("ready")
    ready_heap = live()
    waited = 0
    while not rebooting and waited < 60000:
        await asyncio.sleep(0.1)
        waited += 100
        if battery > 1:
            battery -= 1
            client.set_value("/3/0/9", battery)
    if not rebooting:
        print("no reboot came")
        return 1
    await client.close()
    print("state", ev.NAMES[client.state])
    print("mem_peak", peak())
    print("mem_live", ready_heap)
    return 0 if client.state == ev.STATE_DEREGISTERED else 1


sys.exit(asyncio.run(main()))
