"""The store's Redis client: its timeouts are the settings', never redis-py's
defaults (which changed between its versions); its commands packed as
redis-py packs them; its pool makes a burst wait for a free connection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError, DataError

from server.actions import build
from server.config import Settings
from server.store import keys
from server.store.connection import MAX_BLOCK, Sentinels, Store, connect
from server.store.wire import (
    FastConnection,
    FastSentinelConnection,
    FastSSLConnection,
    FastUnixConnection,
    Pool,
    SentinelPool,
    Unlaned,
    lane,
)


async def test_the_clients_have_the_settings_timeouts(redis_url: str) -> None:
    """Every connection of the store has the command and connect timeouts
    the settings give; the follower's blocking one outlasts its longest wait."""
    settings = Settings(redis_timeout=3.0, redis_connect_timeout=1.5)
    store = Store.open(
        redis_url,
        1000,
        b"secret",
        timeout=settings.redis_timeout,
        connect_timeout=settings.redis_connect_timeout,
    )
    follower = store.follower()
    try:
        await store.ping()
        kwargs = store._redis.connection_pool.connection_kwargs
        assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (3.0, 1.5)
        assert kwargs["driver_info"] is None  # no CLIENT SETINFO on connect
        blocking = follower._blocking.connection_pool.connection_kwargs
        assert blocking["socket_timeout"] == 3.0 + MAX_BLOCK
        assert await follower.read({"none": "0-0"}, 10) == []
    finally:
        await follower.close()
        await store.close()


# --- the pool and the packing of server/store/wire.py -------------------------


def _arguments() -> list[tuple[Any, ...]]:
    """Commands of every argument type the store sends, and some it never does."""
    return [
        ("PING",),
        ("CLIENT KILL", "ID", 7),
        (b"CONFIG GET", b"maxmemory"),
        ("EVALSHA", "0" * 40, 2, "k{d}", "é{d}", "Câu hỏi về Huế?", 1.5, -0.0, 10**20, 1e-7),
        ("SET", "k", bytearray(b"\x00\xff")),
        ("SET", "k", memoryview(b"abc")),
        ("SET", "k", "x" * 10_000),
    ]


def test_commands_are_packed_by_hiredis_as_redis_py_packs_them() -> None:
    """The same bytes on the wire as redis-py's own packing, and the same
    refusal of what it refuses (a bool, an object)."""
    fast, plain = FastConnection(), Connection()
    for args in _arguments():
        assert b"".join(fast.pack_command(*args)) == b"".join(
            bytes(chunk) for chunk in plain.pack_command(*args)
        ), args
    bad: Any
    for bad in (True, None, object()):
        with pytest.raises(DataError):
            plain.pack_command("SET", "k", bad)
        with pytest.raises(DataError):
            fast.pack_command("SET", "k", bad)


@pytest.mark.one_redis
def test_each_kind_of_address_keeps_its_connection_class() -> None:
    """TCP, TLS, a unix socket and Sentinels each get their own connection
    class, packing with hiredis (tests/e2e/test_sentinel_failover.py runs on them)."""
    classes = {
        "redis://127.0.0.1:1/0": FastConnection,
        "rediss://127.0.0.1:1/0": FastSSLConnection,
        "unix:///tmp/none.sock": FastUnixConnection,
    }
    for url, kind in classes.items():
        pool = connect(url).connection_pool
        assert isinstance(pool, Pool) and pool.connection_class is kind, url
    pool = connect(Sentinels((("127.0.0.1", 1),), "primary")).connection_pool
    assert isinstance(pool, SentinelPool) and pool.connection_class is FastSentinelConnection


@pytest.mark.one_redis
async def test_a_burst_waits_for_a_free_connection(redis_url: str) -> None:
    """With every connection taken, a command waits for one to be given back
    (never opening more than the pool's size), then runs; a burst of many
    more commands than connections all run."""
    client = connect(redis_url, pool_size=2)
    pool = client.connection_pool
    assert isinstance(pool, Pool)
    try:
        held = [await pool.get_connection(), await pool.get_connection()]
        waiting: asyncio.Future[int] = asyncio.ensure_future(client.incr("h:burst"))
        # A state no event announces: yield until the command waits in the pool.
        while not pool._waiting:  # noqa: ASYNC110
            await asyncio.sleep(0)
        assert not waiting.done()
        await pool.release(held.pop())
        assert await waiting == 1
        await pool.release(held.pop())
        assert await asyncio.gather(*(client.incr("h:burst") for _ in range(200)))
        assert await client.get("h:burst") == "201"
        assert len(pool._available_connections) + len(pool._in_use_connections) <= 2
        assert not pool._in_use_connections
    finally:
        await client.aclose()


@pytest.mark.one_redis
async def test_a_connection_given_back_with_a_reply_unread_is_not_reused_as_is(
    redis_url: str,
) -> None:
    """A connection released with a reply still unread (a command cancelled
    after it was sent) is reconnected before its next command, which
    therefore reads its own reply, not the one left over."""
    client = connect(redis_url, pool_size=1)
    pool = client.connection_pool
    try:
        await client.set("h:left", "mine")
        connection = await pool.get_connection()
        await connection.send_command("PING")
        # A state no event announces: yield until the reply has arrived.
        while not await connection.can_read():  # noqa: ASYNC110
            await asyncio.sleep(0)
        await pool.release(connection)
        assert await client.get("h:left") == "mine"
    finally:
        await client.aclose()


@pytest.mark.one_redis
async def test_commands_larger_than_the_socket_takes_and_after_a_lost_connection(
    redis_url: str,
) -> None:
    """A command the kernel cannot take at once (8 MB) is sent whole; on a
    connection Redis closed, a command fails with ConnectionError (as on
    redis-py's own pool) and the next runs on a new connection."""
    client = connect(redis_url, pool_size=1)
    try:
        big = "x" * (8 << 20)
        assert await client.set("h:big", big)
        assert await client.strlen("h:big") == len(big)
        own = await client.client_id()
        await client.execute_command("CLIENT KILL", "ID", own, "SKIPME", "no")
        with pytest.raises(ConnectionError):
            await client.get("h:left")
        assert await client.get("h:left") is None
        assert await client.client_id() != own
    finally:
        await client.aclose()


# --- the lane (wire.Lane): the submit script's pipelined connection ----------


@pytest.mark.one_redis
async def test_the_submit_script_goes_on_the_lane_and_the_usual_way_when_it_cannot(
    redis_url: str,
) -> None:
    """A citizen's question is sent on the lane, not through redis-py's
    command path; when Redis lacks the script (flushed, restarted) or the
    lane's connection is gone, that question is sent the usual way (which
    loads the script, or opens a connection) and still taken once, and the
    next goes on the lane again."""
    store = Store.open(redis_url, 1000, b"secret")
    node = build(store, Settings(submit_limit=(100, 60.0)))
    other = connect(redis_url)
    laned = store.questions._scripts.lane
    assert laned is not None
    sent: list[str] = []
    real = store._redis.execute_command

    async def counted(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]).upper())
        return await real(*args, **options)

    try:
        dialogue = await node.dialogues.create(slug="lan-duong", title="Làn", status="live")

        async def ask(n: int) -> str:
            body = {"text": f"Câu hỏi số {n} về làn?", "name": "Người dân"}
            body["submission_id"] = f"s-{n:08d}"
            return await node.submissions.ask(dialogue, body, "203.0.113.9")

        await ask(0)  # the script is loaded the usual way first (NOSCRIPT on the lane)
        store._redis.execute_command = counted  # type: ignore[method-assign]
        first = await ask(1)
        assert "EVALSHA" not in sent and laned._protocol is not None
        await other.script_flush()
        await ask(2)
        assert sent.count("EVALSHA") + sent.count("EVAL") >= 1  # the usual way, which loads it
        sent.clear()
        await ask(3)
        assert "EVALSHA" not in sent
        lane_id = await laned.execute("CLIENT", "ID")
        await other.execute_command("CLIENT KILL", "ID", lane_id)
        assert await ask(4) != first
        assert await ask(1) == first  # idempotent, whichever way it went
        await ask(5)
        assert await laned.execute("CLIENT", "ID") != lane_id
        assert await other.xlen(keys.inbox(dialogue.id)) == 6
    finally:
        await other.aclose()
        await store.close()


@pytest.mark.one_redis
async def test_the_lane_answers_each_call_its_own_reply(redis_url: str) -> None:
    """Concurrent calls on the lane each get their own reply, a cancelled
    call's reply is read and dropped, and an error reply is not a reply."""
    client = connect(redis_url)
    laned = lane(client.connection_pool)
    assert laned is not None
    try:
        calls = [asyncio.ensure_future(laned.execute("ECHO", f"é-{n}")) for n in range(200)]
        calls[7].cancel()
        replies = await asyncio.gather(*calls, return_exceptions=True)
        assert isinstance(replies[7], asyncio.CancelledError)
        kept = [n for n in range(200) if n != 7]
        assert [replies[n] for n in kept] == [f"é-{n}" for n in kept]
        with pytest.raises(Unlaned):
            await laned.execute("EVALSHA", "0" * 40, 0)
        with pytest.raises(Unlaned):
            await laned.execute("ECHO", object())  # not packed: redis-py's DataError next
        assert await laned.execute("ECHO", "sau") == "sau"
    finally:
        await client.aclose()


@pytest.mark.one_redis
async def test_a_call_the_lane_does_not_answer_in_time_ends_it(redis_url: str) -> None:
    """A call Redis does not answer within the client's command timeout
    fails (every call on that connection with it), and the next call takes
    a connection afresh."""
    client = connect(redis_url, timeout=0.2)
    other = connect(redis_url)
    laned = lane(client.connection_pool)
    assert laned is not None
    try:
        taken = await laned.execute("CLIENT", "ID")
        await other.execute_command("CLIENT PAUSE", 60_000, "WRITE")
        try:
            with pytest.raises(Unlaned):
                await laned.execute("SET", "h:lane", "paused")
        finally:
            await other.execute_command("CLIENT UNPAUSE")
        assert await laned.execute("CLIENT", "ID") != taken
    finally:
        await other.aclose()
        await client.aclose()


@pytest.mark.one_redis
async def test_an_error_reply_leaves_the_calls_sent_after_it_their_replies(
    redis_url: str,
) -> None:
    """An error reply (not the missing script's) moves the lane to another
    connection, but the calls already sent on the first still get their
    own replies (Redis may have run them: none is sent again), and that
    connection is then given back to the pool."""
    client = connect(redis_url)
    laned = lane(client.connection_pool)
    assert laned is not None
    try:
        first = await laned.execute("CLIENT", "ID")
        failing = asyncio.ensure_future(laned.execute("EVAL", "return redis.error_reply('X')", 0))
        after = [asyncio.ensure_future(laned.execute("INCR", "h:after")) for _ in range(20)]
        with pytest.raises(Unlaned):
            await failing
        assert sorted(await asyncio.gather(*after)) == list(range(1, 21))
        assert await laned.execute("CLIENT", "ID") != first
        await asyncio.gather(*laned._retired)
        assert await client.get("h:after") == "20"
    finally:
        await client.aclose()
