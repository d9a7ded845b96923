"""The benchmark's plan and its load generator's parsing (nothing timed, no
server started): ``python -m bench --quick`` plans fan-out and ingest only,
the full run every size; the raw viewer speaks Engine.IO v4 as a
Socket.IO server expects and counts only events; the plot draws every
server, an absent one in the legend."""

from __future__ import annotations

import asyncio
import math

import pytest

from bench import peers, plot
from bench.__main__ import parse, plan
from bench.fanout import PLAIN, SNAPSHOT, SOCKETIO, Result, Tally, Viewer, ratios


def test_quick_plans_fan_out_at_1000_and_short_ingest_only() -> None:
    args = parse(["--quick"])
    assert [s.name for s in plan(args)] == ["fanout", "ingest"]
    assert args.sockets == [1000]
    assert args.ingest_seconds < 5
    assert "docs" not in str(args.plot)


def test_the_full_run_plans_every_size_and_the_other_benchmarks() -> None:
    args = parse([])
    names = [s.name for s in plan(args)]
    assert names[:2] == ["fanout", "ingest"]
    assert {"scale", "duplicates", "console-10000", "dashboard-20000"} <= set(names)
    assert "cluster" not in names and "cluster" in [s.name for s in plan(parse(["--all"]))]
    assert args.sockets == [1000, 5000, 10000]
    assert args.plot.name == "bench-fanout.svg"


def test_only_runs_the_named_steps_and_refuses_unknown_ones() -> None:
    assert [s.name for s in plan(parse(["--only", "ingest"]))] == ["ingest"]
    with pytest.raises(SystemExit):
        plan(parse(["--only", "nonesuch"]))


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


def _viewer(mode: str, tally: Tally) -> tuple[Viewer, Transport]:
    viewer = Viewer(b"GET / HTTP/1.1\r\n\r\n", tally, mode)
    transport = Transport()
    viewer.connection_made(transport)  # type: ignore[arg-type]
    return viewer, transport


HANDSHAKE = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"


async def test_a_socketio_viewer_connects_answers_pings_and_counts_events() -> None:
    tally = Tally(1, 2)
    viewer, transport = _viewer(SOCKETIO, tally)
    opening = peers.frame(b'0{"sid":"abc","upgrades":[],"pingInterval":25000}')
    viewer.data_received(HANDSHAKE + opening[:5])  # a frame split across reads
    viewer.data_received(opening[5:])
    # "40" sent back masked (the zero mask leaves the payload as it is).
    assert transport.written[1:] == [bytes([0x81, 0x82, 0, 0, 0, 0]) + b"40"]
    assert not tally.ready.is_set()
    viewer.data_received(peers.frame(b'40{"sid":"def"}'))
    assert tally.ready.is_set()
    viewer.data_received(peers.frame(b"2") + peers.frame(b'42["event",{"id":1}]'))
    assert transport.written[-1] == bytes([0x81, 0x81, 0, 0, 0, 0]) + b"3"
    assert tally.counts == [1, 0]
    viewer.data_received(peers.frame(b'42["event",{"id":2}]' + b"x" * 200))  # 16-bit length
    assert tally.counts == [1, 1]
    assert tally.done.is_set()


async def test_a_node_viewer_is_ready_at_its_snapshot_and_a_plain_one_at_the_handshake() -> None:
    node_tally, plain_tally = Tally(1, 1), Tally(1, 1)
    node, _ = _viewer(SNAPSHOT, node_tally)
    plain, _ = _viewer(PLAIN, plain_tally)
    node.data_received(HANDSHAKE)
    plain.data_received(HANDSHAKE)
    assert plain_tally.ready.is_set() and not node_tally.ready.is_set()
    node.data_received(peers.frame(b'{"type":"snapshot"}'))
    assert node_tally.ready.is_set() and node_tally.counts == [0]
    node.data_received(peers.frame(b'{"type":"votes.changed"}'))
    plain.data_received(peers.frame(b'{"type":"votes.changed"}'))
    assert node_tally.counts == plain_tally.counts == [1]


def test_a_viewer_refused_at_the_handshake_says_so() -> None:
    async def refused() -> None:
        viewer, _ = _viewer(PLAIN, Tally(1, 1))
        viewer.data_received(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        await viewer.ready

    with pytest.raises(ConnectionError, match="403"):
        asyncio.run(refused())


def _result(name: str, sockets: int, us: float, failed: str = "") -> Result:
    return Result(name, sockets, 40, us, 0.0, 20.0, 0.5, 0.1, 50.0, 80.0, 60.0, 40 * sockets,
                  True, failed)  # fmt: skip


def test_the_plot_draws_every_server_and_the_ratios_name_the_targets() -> None:
    nan = math.nan
    results = [
        _result("floor", 1000, 10.0),
        _result("socketio", 1000, nan, "absent: no node or npm on this machine"),
        _result("doithoai", 1000, 13.0),
        _result("floor", 5000, 9.0),
        _result("socketio", 5000, nan, "absent: no node or npm on this machine"),
        _result("doithoai", 5000, 12.0),
    ]
    svg = plot.svg(results, "Fan-out")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg.count("<polyline") == 2
    assert "socketio (absent)" in svg and "doithoai" in svg
    lines = ratios(results)
    assert lines[1].startswith("doithoai at 5,000: 12.0 µs/delivery; 1.33x floor (target ≤ 1.3)")
    assert "socketio absent" in lines[1]
    assert "0.92x its own at 1,000" in lines[1]
