"""scrapy-redis' priority queue, with leases: what a worker pops stays recoverable.

``pop`` moves the request from the queue (a sorted set) to the in-flight set, scored by
its lease deadline, in one Lua script. When the engine is done with it, ``finish`` notes it;
``ack_finished`` removes the noted ones once what they produced is stored. ``renew`` pushes
the deadlines of every request a worker still holds; ``reap`` puts the requests whose lease
ran out (their worker died) back into the queue.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

# KEYS: queue, inflight; ARGV: lease deadline. Returns the member moved, or nil.
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return nil end
redis.call('ZREM', KEYS[1], found[1])
redis.call('ZADD', KEYS[2], ARGV[1], found[1])
return found[1]
"""
# KEYS: inflight, queue; ARGV: now. Moves every expired member back; returns how many.
_REAP = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, member in ipairs(expired) do
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZADD', KEYS[2], 0, member)
end
return #expired
"""


class LeasedQueue(PriorityQueue):
    """A generation's request queue; ``key`` is the queue, ``inflight_key`` its leases."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *,
                 inflight_key: str | None = None, lease_seconds: float = 120) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight_key = inflight_key or f"{self.key}:inflight"
        self.lease_seconds = lease_seconds
        # request → its encoded form, as stored in the in-flight set (needed to ack it)
        self.held: weakref.WeakKeyDictionary[Request, bytes] = weakref.WeakKeyDictionary()
        self.finished: list[bytes] = []  # done by the engine, output not yet stored
        self._pop = server.register_script(_POP)
        self._reap = server.register_script(_REAP)

    def pop(self, timeout: float = 0) -> Request | None:
        data = self._pop(keys=[self.key, self.inflight_key],
                         args=[time.time() + self.lease_seconds])
        if data is None:
            return None
        request = self._decode_request(data)
        self.held[request] = data
        return request

    def finish(self, request: Request) -> None:
        """The engine is done with ``request`` (parsed, or replaced by a queued retry)."""
        data = self.held.pop(request, None)
        if data is not None:
            self.finished.append(data)

    def ack_finished(self) -> int:
        """Everything the finished requests produced is stored: forget their leases."""
        done, self.finished = self.finished, []
        if done:
            self.server.zrem(self.inflight_key, *done)
        return len(done)

    def _mine(self) -> list[bytes]:
        return [*self.held.values(), *self.finished]

    def renew(self) -> int:
        """Push the lease deadline of every request this worker still holds."""
        mine = self._mine()
        if mine:
            deadline = time.time() + self.lease_seconds
            self.server.zadd(self.inflight_key, dict.fromkeys(mine, deadline), xx=True)
        return len(mine)

    def release(self) -> int:
        """Hand back, at once, every request this worker holds (a clean stop)."""
        mine = self._mine()
        if mine:
            pipe = self.server.pipeline(transaction=True)
            pipe.zrem(self.inflight_key, *mine)
            pipe.zadd(self.key, dict.fromkeys(mine, 0))
            pipe.execute()
        self.held.clear()
        self.finished = []
        return len(mine)

    def reap(self) -> int:
        """Requeue the requests of workers that died (lease run out); returns how many."""
        return int(self._reap(keys=[self.inflight_key, self.key], args=[time.time()]))
