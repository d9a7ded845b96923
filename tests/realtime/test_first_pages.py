"""The public snapshot frame made once for viewers connecting together: one
making serves every viewer waiting for it, and no viewer is sent a frame
older than the last event the node had handed to the hub when it asked."""

from __future__ import annotations

import asyncio

import pytest

from server.realtime.first_pages import FirstPages, Frame


class Maker:
    """A ``make`` whose frames name the ids the test gives, one by one, each
    ready when the test releases it."""

    def __init__(self, *ids: str) -> None:
        self.ids = list(ids)
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> Frame:
        last_id = self.ids[self.calls]
        self.calls += 1
        await self.release.wait()
        return last_id, f"frame {last_id}".encode()


async def test_viewers_connecting_together_share_one_making() -> None:
    pages, make = FirstPages(), Maker("5-0")
    waiting = [asyncio.create_task(pages.get("d", "4-0", make)) for _ in range(100)]
    await asyncio.sleep(0)
    make.release.set()
    frames = await asyncio.gather(*waiting)
    assert make.calls == 1
    assert set(frames) == {("5-0", b"frame 5-0")}


async def test_a_kept_frame_serves_a_viewer_who_misses_nothing_by_it() -> None:
    pages, make = FirstPages(), Maker("5-0")
    make.release.set()
    assert await pages.get("d", "4-0", make) == ("5-0", b"frame 5-0")
    assert await pages.get("d", "5-0", make) == ("5-0", b"frame 5-0")
    assert make.calls == 1


async def test_a_kept_frame_older_than_what_the_hub_had_handed_out_is_made_again() -> None:
    pages, make = FirstPages(), Maker("5-0", "7-0")
    make.release.set()
    await pages.get("d", "5-0", make)
    # Event 6-0 (and 7-0) reached the hub before this viewer joined: 5-0 lacks them.
    assert await pages.get("d", "6-0", make) == ("7-0", b"frame 7-0")
    assert make.calls == 2
    # The newer frame is the one kept.
    assert await pages.get("d", "7-0", make) == ("7-0", b"frame 7-0")
    assert make.calls == 2


async def test_a_making_under_way_that_turns_out_too_old_is_followed_by_one_started_after() -> None:
    pages, make = FirstPages(), Maker("5-0", "6-0")
    first = asyncio.create_task(pages.get("d", "5-0", make))
    await asyncio.sleep(0)
    # Joins the making under way, which will read 5-0, older than its 6-0.
    second = asyncio.create_task(pages.get("d", "6-0", make))
    await asyncio.sleep(0)
    make.release.set()
    assert await first == ("5-0", b"frame 5-0")
    assert await second == ("6-0", b"frame 6-0")
    assert make.calls == 2


async def test_a_making_started_after_the_ask_is_taken_whatever_its_id() -> None:
    # The stream went back (Redis lost its tail): the reader's id is past any
    # frame now, and a frame read after the viewer joined is still right.
    pages, make = FirstPages(), Maker("3-0")
    make.release.set()
    assert await pages.get("d", "9-0", make) == ("3-0", b"frame 3-0")
    assert make.calls == 1


async def test_keys_do_not_share_frames_and_old_ones_are_let_go() -> None:
    pages, make = FirstPages(kept=2), Maker("5-0", "5-0", "5-0", "5-0")
    make.release.set()
    for key in ("a", "b", "c"):
        await pages.get(key, "5-0", make)
    assert make.calls == 3
    await pages.get("a", "5-0", make)  # "a" was let go: made again
    assert make.calls == 4


async def test_a_failed_making_fails_every_viewer_waiting_and_keeps_nothing() -> None:
    pages = FirstPages()
    gate = asyncio.Event()

    async def failing() -> Frame:
        await gate.wait()
        raise ConnectionError("Redis is away")

    waiting = [asyncio.create_task(pages.get("d", "1-0", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    for task in waiting:
        with pytest.raises(ConnectionError):
            await task
    make = Maker("2-0")
    make.release.set()
    assert await pages.get("d", "1-0", make) == ("2-0", b"frame 2-0")


async def test_a_viewer_gone_meanwhile_does_not_cancel_the_others_frame() -> None:
    pages, make = FirstPages(), Maker("5-0")
    gone = asyncio.create_task(pages.get("d", "5-0", make))
    await asyncio.sleep(0)
    staying = asyncio.create_task(pages.get("d", "5-0", make))
    await asyncio.sleep(0)
    gone.cancel()
    make.release.set()
    assert await staying == ("5-0", b"frame 5-0")
    assert make.calls == 1
