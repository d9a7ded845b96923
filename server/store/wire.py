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
"""

from __future__ import annotations

import asyncio
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
