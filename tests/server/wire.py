"""A client side built from raw CoAP messages (our codec), to drive the server as the
ETS conversations do: every request the device sends and every message the server
sends back are real datagrams, checked field by field. No sockets: stepped time."""

from coap import codes, types
from coap.message import Message, decode
from lwm2m.server.stepped import SteppedServer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Net(SteppedServer):
    """The stepped server plus what each device address has received, decoded."""

    def __init__(self, **options: "Any") -> None:
        super().__init__(**options)
        self.inbox: "dict[Any, list[Message]]" = {}
        self.raw: "dict[Any, list[bytes]]" = {}

    def _collect(self) -> None:
        # what the server sent over plain CoAP goes to each device's inbox, decoded
        super()._collect()
        for addr, data in self._out.pop("coap", []):
            self.raw.setdefault(addr, []).append(data)
            self.inbox.setdefault(addr, []).append(decode(data))

    def flush(self) -> None:
        """Deliver what the server has sent (for datagrams fed to it directly)."""
        self._collect()


class Device:
    """One client address; sends requests and answers the server's requests."""

    def __init__(self, net: Net, port: int, host: str = "127.0.0.1") -> None:
        self.net = net
        self.addr = (host, port)
        self.mid = port * 7 % 60000
        self.token = 0

    def send(self, message: Message) -> None:
        self.net.server.receive_datagram(message.encode(), self.addr, self.net.now_ms)
        self.net.flush()

    def received(self) -> "list[Message]":
        return self.net.inbox.pop(self.addr, [])

    def request(self, code: int, path: str, query: "tuple[str, ...]" = (),
                payload: bytes = b"", content_format: "int | None" = None,
                mtype: int = types.CON) -> Message:
        """Send a request; returns the server's (piggybacked) response."""
        self.mid = (self.mid + 1) & 0xFFFF
        self.token += 1
        msg = Message(mtype, code, self.mid, b"t%d" % self.token, payload=payload)
        msg.uri_path = [s for s in path.split("/") if s]
        if query:
            msg.uri_query = list(query)
        if content_format is not None:
            msg.content_format = content_format
        self.send(msg)
        got = self.received()
        replies = [m for m in got if m.token == msg.token and not m.is_request]
        # anything else (a request the server let out now) stays for next_request()
        self.net.inbox[self.addr] = [m for m in got if m not in replies]
        assert len(replies) == 1, got
        reply = replies[0]
        assert reply.type == (types.ACK if mtype == types.CON else types.NON), reply
        assert reply.token == msg.token
        if mtype == types.CON:
            assert reply.mid == msg.mid
        return reply

    def register(self, ep: str, lt: int = 86400, payload: bytes = b"</1/0>,</3/0>",
                 extra: "tuple[str, ...]" = ("lwm2m=1.1", "b=U")) -> str:
        reply = self.request(codes.POST, "/rd", ("ep=" + ep, "lt=%d" % lt) + extra,
                             payload, 40)
        assert reply.code == codes.CREATED, codes.code_text(reply.code)
        assert reply.location_path[0] == "rd" and len(reply.location_path) == 2
        return "/rd/" + reply.location_path[1]

    def next_request(self) -> Message:
        """The one request the server sent to this device."""
        self.net.flush()
        msgs = self.received()
        assert len(msgs) == 1, msgs
        assert msgs[0].is_request and msgs[0].type == types.CON, msgs[0]
        return msgs[0]

    def answer(self, req: Message, code: int, payload: bytes = b"",
               content_format: "int | None" = None, observe: "int | None" = None) -> None:
        """A piggybacked response in the ACK of ``req``."""
        resp = Message(types.ACK, code, req.mid, req.token, payload=payload)
        if content_format is not None:
            resp.content_format = content_format
        if observe is not None:
            resp.observe = observe
        self.send(resp)

    def notify(self, token: bytes, seq: int, payload: bytes, content_format: int,
               code: int = codes.CONTENT) -> Message:
        """A CON notification; returns the server's ACK."""
        self.mid = (self.mid + 1) & 0xFFFF
        msg = Message(types.CON, code, self.mid, token, payload=payload)
        msg.observe = seq
        msg.content_format = content_format
        self.send(msg)
        replies = self.received()
        assert len(replies) == 1, replies
        return replies[0]
