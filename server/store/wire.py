"""The node's Redis connections and their pool, leaner than redis-py's own
on the path every request takes (issue 15's submit path; docs/benchmarks.md
"The submit path's CPU").

- Commands are packed by hiredis's ``pack_command`` (in C), as redis-py's
  sync client does but its asyncio client does not: 4 µs for the submit
  script's ~26 arguments where redis-py's pure-Python packing took ~20.
  Anything hiredis refuses (a bool, a bytearray, a memoryview, an object) is
  packed by redis-py, which raises the same ``DataError`` it always did.
  The connection class is chosen by what redis-py chose for the URL or the
  Sentinels (plain TCP, TLS, a unix socket), so each keeps working.
- A command the kernel takes at once is sent without redis-py's
  ``asyncio.wait_for`` (in Python 3.11 a Task and a timer each time); the
  send timeout still bounds any command that has to wait for the socket.
- The pool is redis-py's ``BlockingConnectionPool`` (a burst waits up to its
  ``timeout`` for a free connection, never more than ``max_connections``
  open), with a shortcut: while no task is waiting for a connection, a free
  one is taken and given back without the pool's Condition, lock and
  timeout; it is still checked for unread data (a cancelled command's reply)
  as redis-py checks it. Whenever a task waits, both go through redis-py's
  own path, which wakes the waiter.
- ``Lane``: one connection taken from the pool and kept, on which calls are
  pipelined, each written as it comes and its reply read in order, for the
  submit script (docs/benchmarks.md, "The submit path's CPU, again").
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from typing import Any

import hiredis
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.asyncio.sentinel import (
    SentinelConnectionPool,
    SentinelManagedConnection,
    SentinelManagedSSLConnection,
)
from redis.event import AsyncAfterConnectionReleasedEvent
from redis.exceptions import ConnectionError, TimeoutError


class _HiredisPacking:
    """``pack_command`` by hiredis, for a connection whose encoder is UTF-8, strict."""

    encoder: Any

    def pack_command(self, *args: Any) -> list[bytes]:
        encoder = self.encoder
        if (encoder.encoding, encoder.encoding_errors) == ("utf-8", "strict"):
            # As redis-py: a command name of several words ("CLIENT KILL")
            # is sent as several arguments.
            head = args[0]
            if isinstance(head, str):
                args = (*head.encode().split(), *args[1:])
            elif b" " in head:
                args = (*head.split(), *args[1:])
            try:
                return [hiredis.pack_command(args)]
            except TypeError:
                pass  # redis-py's packing: its own conversions and errors
        packed: list[bytes] = super().pack_command(*args)  # type: ignore[misc]
        return packed

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        """As redis-py sends, without its ``wait_for`` (a Task and a timer a
        command) when the kernel takes the whole command at once: written,
        then redis-py's own timed drain only when some of it is left in the
        transport's buffer or the transport is closing (a lost connection
        then fails here, as it did). A health check due, a connection to
        open, or a command not yet packed go to redis-py whole."""
        this: Any = self
        writer = this._writer
        if (
            writer is None
            or not isinstance(command, list)
            or (
                check_health
                and this.health_check_interval
                and asyncio.get_running_loop().time() > this.next_health_check
            )
            or writer.transport.is_closing()
        ):
            await super().send_packed_command(command, check_health)  # type: ignore[misc]
            return
        try:
            writer.writelines(command)
        except BaseException:
            await this.disconnect(nowait=True)
            raise
        transport = writer.transport
        if transport.is_closing() or transport.get_write_buffer_size():
            await super().send_packed_command([], check_health=False)  # type: ignore[misc]


class FastConnection(_HiredisPacking, Connection):
    pass


class FastSSLConnection(_HiredisPacking, SSLConnection):
    pass


class FastUnixConnection(_HiredisPacking, UnixDomainSocketConnection):
    pass


class FastSentinelConnection(_HiredisPacking, SentinelManagedConnection):
    pass


class FastSentinelSSLConnection(_HiredisPacking, SentinelManagedSSLConnection):
    pass


#: redis-py's connection class for a URL or Sentinels -> the one packing with hiredis.
FAST: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: FastConnection,
    SSLConnection: FastSSLConnection,
    UnixDomainSocketConnection: FastUnixConnection,
    SentinelManagedConnection: FastSentinelConnection,
    SentinelManagedSSLConnection: FastSentinelSSLConnection,
}


class Pool(BlockingConnectionPool):
    """``BlockingConnectionPool`` with the shortcut the module docstring
    describes, and connections that pack with hiredis."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_class = FAST.get(self.connection_class, self.connection_class)
        #: Tasks in redis-py's own ``get_connection`` (waiting, or about to).
        self._waiting = 0

    def _shortcut(self) -> bool:
        return not self._waiting and not self._in_maintenance

    async def get_connection(self, command_name: Any = None, *keys: Any, **options: Any) -> Any:
        if not (self._shortcut() and self._available_connections):
            self._waiting += 1
            try:
                return await super().get_connection()
            finally:
                self._waiting -= 1
        connection = self._available_connections.pop()
        self._in_use_connections.add(connection)
        try:
            # Connected with nothing unread: ready. Otherwise redis-py's check,
            # which reconnects a connection that has data or is closed.
            try:
                ready = connection.is_connected and not await connection.can_read()
            except (ConnectionError, TimeoutError, OSError):
                ready = False
            if not ready:
                await self.ensure_connection(connection)
        except BaseException:
            await self.release(connection)
            raise
        return connection

    async def release(self, connection: AbstractConnection) -> None:
        if not self._shortcut() or connection.should_reconnect():
            await super().release(connection)
            return
        self._in_use_connections.remove(connection)
        self._available_connections.append(connection)
        if self._event_dispatcher is not None:  # as redis-py: re-authentication listeners
            await self._event_dispatcher.dispatch_async(
                AsyncAfterConnectionReleasedEvent(connection)
            )


class SentinelPool(SentinelConnectionPool, Pool):
    """The primary's connections, found through the Sentinels and reset when
    they name another one; a burst waits for a free connection, as on a URL."""

    async def disconnect(self, inuse_connections: bool = True) -> None:
        """Close the Sentinels' connections too (they come back when needed)."""
        await super().disconnect(inuse_connections)
        for sentinel in self.sentinel_manager.sentinels:
            await sentinel.aclose()


class Unlaned(Exception):
    """The lane did not answer a call (its connection was lost or timed
    out, Redis answered an error, or hiredis would not pack the arguments):
    the caller sends it again the usual way, which retries, loads a script
    Redis lacks and raises what it always raised."""


class _Pipelined(asyncio.Protocol):
    """The protocol of a lane's transport: each call's future, answered in
    the order written. The calls made in one turn of the event loop are
    written in one send at its end (one system call for the concurrent
    requests' commands, not one each); a call unanswered after ``timeout`` seconds ends the
    connection (as redis-py's read timeout does), failing every call on it."""

    def __init__(self, transport: asyncio.Transport, timeout: float | None) -> None:
        self.transport = transport
        #: The connection's own protocol (its StreamReader's), told when the
        #: transport closes, so that redis-py's ``disconnect`` sees it closed.
        self.streams = transport.get_protocol()
        # As the node's client: str replies (decode_responses), hiredis's types.
        self.reader = hiredis.Reader(encoding="utf-8", errors="strict")
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.timeout = timeout
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        #: Calls made in this turn of the loop, written together at its end.
        self._out: list[bytes] = []
        #: Set once the connection is closed (``retire``: once its calls are answered).
        self.done: asyncio.Future[None] = self.loop.create_future()
        self._retiring = False

    def retire(self) -> None:
        """Take no more calls; close once those sent are answered."""
        self.closed = self._retiring = True
        if not self.waiting:
            self.transport.close()

    def call(self, packed: bytes) -> asyncio.Future[Any]:
        future = self.loop.create_future()
        waiting = self.waiting
        if self.timeout is not None:
            due = self.loop.time() + self.timeout
            if self._timer is None:
                self._timer = self.loop.call_at(due, self._check)
        else:
            due = 0.0
        waiting.append((future, due))
        if not self._out:
            self.loop.call_soon(self._flush)
        self._out.append(packed)
        return future

    def _flush(self) -> None:
        out, self._out = self._out, []
        if not self.transport.is_closing():  # else its calls have failed
            self.transport.write(b"".join(out))

    def _check(self) -> None:
        """One timer for every call: the oldest's due time."""
        self._timer = None
        if not self.waiting:
            return
        due = self.waiting[0][1]
        if due <= self.loop.time():
            self.end(TimeoutError("Timeout reading from the lane"))
        else:
            self._timer = self.loop.call_at(due, self._check)

    def data_received(self, data: bytes) -> None:
        reader, waiting = self.reader, self.waiting
        reader.feed(data)
        try:
            while (reply := reader.gets()) is not False:
                future = waiting.popleft()[0]
                if not future.done():  # a cancelled call's reply is read and dropped
                    future.set_result(reply)
        except Exception as exc:  # a protocol error, a reply no call waits for
            self.end(ConnectionError(f"lane: {exc!r}"))
            return
        if self._retiring and not waiting:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ConnectionError(f"lane: connection lost ({exc!r})"))
        self.streams.connection_lost(exc)

    def eof_received(self) -> bool:
        self._fail(ConnectionError("lane: Redis closed the connection"))
        return False

    def end(self, error: Exception) -> None:
        self._fail(error)
        self.transport.abort()

    def _fail(self, error: Exception) -> None:
        self.closed = True
        if not self.done.done():
            self.done.set_result(None)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self.waiting:
            future = self.waiting.popleft()[0]
            if not future.done():
                future.set_exception(error)


class Lane:
    """A connection of ``pool`` kept out of it for pipelined calls: no
    checkout, health check, retry wrapper or timer per call, and the replies
    of concurrent calls read together. Taken when first needed (connected,
    authenticated and on its database as redis-py connects any), given back
    to the pool, closed, when it fails; the next call takes another (after a
    Sentinel failover: the new primary's). One per pool (``lane``)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        timeout = pool.connection_kwargs.get("socket_timeout")
        self._timeout: float | None = float(timeout) if timeout else None
        self._protocol: _Pipelined | None = None
        self._connection: AbstractConnection | None = None
        self._lock = asyncio.Lock()
        #: Connections being given back once their calls are answered.
        self._retired: set[asyncio.Future[None]] = set()

    async def execute(self, *args: Any) -> Any:
        """A command's reply, or ``Unlaned``."""
        try:
            packed = hiredis.pack_command(args)
        except TypeError:
            raise Unlaned("not packed by hiredis") from None
        protocol = self._protocol
        if protocol is None or protocol.closed:
            protocol = await self._take()
        try:
            reply = await protocol.call(packed)
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise Unlaned(str(exc)) from exc
        if isinstance(reply, hiredis.ReplyError):
            if not str(reply).startswith("NOSCRIPT") and self._protocol is protocol:
                # Not the script's usual answer (a demoted primary's
                # READONLY, a Lua error): the next calls take a connection
                # afresh; the calls already sent on this one keep their
                # replies (Redis may have run them), then it is given back.
                connection, self._connection, self._protocol = self._connection, None, None
                protocol.retire()
                giving = asyncio.ensure_future(self._give_back(protocol, connection))
                self._retired.add(giving)
                giving.add_done_callback(self._retired.discard)
            raise Unlaned(str(reply))
        return reply

    async def _give_back(self, protocol: _Pipelined, connection: AbstractConnection | None) -> None:
        await protocol.done
        if connection is not None:
            await connection.disconnect(nowait=True)
            await self._pool.release(connection)

    async def _take(self) -> _Pipelined:
        async with self._lock:
            if self._protocol is not None and not self._protocol.closed:
                return self._protocol
            await self.close()
            try:
                connection = await self._pool.get_connection()
            except (ConnectionError, TimeoutError, OSError) as exc:
                raise Unlaned(str(exc)) from exc
            writer = getattr(connection, "_writer", None)
            if writer is None:
                await self._pool.release(connection)
                raise Unlaned("no connection")
            transport = writer.transport
            protocol = _Pipelined(transport, self._timeout)
            transport.set_protocol(protocol)
            self._connection, self._protocol = connection, protocol
            return protocol

    async def close(self) -> None:
        """Give the connection back to the pool, closed (calls on it fail)."""
        connection, protocol = self._connection, self._protocol
        self._connection = self._protocol = None
        if protocol is not None:
            protocol.end(ConnectionError("lane closed"))
        if connection is not None:
            await connection.disconnect(nowait=True)
            await self._pool.release(connection)


_LANES: weakref.WeakKeyDictionary[Pool, Lane] = weakref.WeakKeyDictionary()


def lane(pool: Any) -> Lane | None:
    """``pool``'s lane, shared by every store on its client; None for a pool
    that is not the node's own (a Cluster's nodes have theirs)."""
    if not isinstance(pool, Pool):
        return None
    found = _LANES.get(pool)
    if found is None:
        found = _LANES[pool] = Lane(pool)
    return found
