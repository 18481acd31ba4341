"""Properties of notifications through the whole client (against the embedded server):
the values a server hears are those a plain reading of Core §5.1.2 predicts."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.lwm2m.reporting_net import EP, notified_values, registered

CHANGED = 0x44


def _expected(first: int, values: "list[int]", gt: "int | None", lt: "int | None",
              step: "int | None") -> "list[int]":
    # Core §5.1.2: gt / lt notify on a crossing in either direction, st on a move of at
    # least st, each against the last notified value; without them any new value.
    out = []
    last = first
    for value in values:
        if gt is None and lt is None and step is None:
            hit = value != last
        else:
            hit = ((gt is not None and (last > gt) != (value > gt))
                   or (lt is not None and (last < lt) != (value < lt))
                   or (step is not None and abs(value - last) >= step))
        if hit:
            out.append(value)
            last = value
    return out


@settings(max_examples=40)
@given(values=st.lists(st.integers(0, 100), min_size=1, max_size=12),
       gt=st.one_of(st.none(), st.integers(50, 90)),
       lt=st.one_of(st.none(), st.integers(5, 40)),
       step=st.one_of(st.none(), st.integers(1, 30)))
def test_conditions_match_the_rule(values: "list[int]", gt: "int | None", lt: "int | None",
                                   step: "int | None") -> None:
    # Core §5.1.2: lt + 2*st < gt, else the Write-Attributes is refused (4.00).
    assume(gt is None or lt is None or step is None or lt + 2 * step < gt)
    net, server = registered()
    attributes = {"gt": gt, "lt": lt, "st": step}
    attributes = {k: v for k, v in attributes.items() if v is not None}
    if attributes:
        assert net.wait(server.write_attributes(EP, "/3/0/9", attributes)).code == CHANGED
    net.wait(server.observe(EP, "/3/0/9"))
    net.take("NotificationReceived")
    heard = []
    for value in values:
        net.client.set_value("/3/0/9", value)
        net.advance(50)
        heard.extend(notified_values(net, (3, 0, 9)))
    assert heard == _expected(50, values, gt, lt, step)


@settings(max_examples=30)
@given(pmin=st.integers(0, 5), pmax=st.integers(6, 20),
       changes=st.lists(st.integers(0, 30000), max_size=6))
def test_pmin_and_pmax_bound_the_gaps(pmin: int, pmax: int, changes: "list[int]") -> None:
    net, server = registered()
    attributes = {"pmin": pmin, "pmax": pmax}
    assert net.wait(server.write_attributes(EP, "/3/0/9", attributes)).code == CHANGED
    net.wait(server.observe(EP, "/3/0/9"))
    start = net.now_ms
    net.take("NotificationReceived")
    times = [start]
    value = 50
    for at in sorted(changes) + [30000]:
        while net.now_ms < start + at:
            # stop at the very step a notification arrives, to time it exactly
            net.run(start + at, lambda: any(type(e).__name__ == "NotificationReceived"
                                            for e in net.events))
            times.extend([net.now_ms for _v in notified_values(net, (3, 0, 9))])
        value += 1
        net.client.set_value("/3/0/9", value)
    gaps = [times[i + 1] - times[i] for i in range(len(times) - 1)]
    assert all(pmin * 1000 <= gap <= pmax * 1000 for gap in gaps), (times, gaps)
