"""An async iterator over a host's events, shared by the client and server hosts."""

import asyncio
from typing import Any


class EventStream:
    """Events from the moment of subscription on; ``async for`` over it, or ``next()``.

    The host puts every event on each subscriber's queue and None when it closes."""

    def __init__(self, subscribers: "list[asyncio.Queue[Any]]") -> None:
        self.queue: "asyncio.Queue[Any]" = asyncio.Queue()
        self._subscribers = subscribers
        subscribers.append(self.queue)

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> "Any":
        event = await self.queue.get()
        if event is None:
            self.close()
            raise StopAsyncIteration
        return event

    async def next(self, timeout_s: float) -> "Any":
        """The next event, waiting at most ``timeout_s`` (asyncio.TimeoutError)."""
        return await asyncio.wait_for(self.__anext__(), timeout_s)

    def close(self) -> None:
        """Unsubscribe."""
        if self.queue in self._subscribers:
            self._subscribers.remove(self.queue)
