"""Waiting on state, never on time: poll a condition until it holds, with a
deadline that is only a bound on a stuck test (a loaded machine may take
long), and a message saying what never happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

#: Between two looks at the state.
POLL = 0.05
#: Intake screens a question in well under a second; the bound is for a
#: loaded machine.
INTAKE_TIMEOUT = 30.0


def wait_for(look: Callable[[], T | None], what: str, timeout: float = INTAKE_TIMEOUT) -> T:
    """The first value of ``look()`` that is not None (nor False)."""
    deadline = time.monotonic() + timeout
    while True:
        found = look()
        if found is not None and found is not False:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout:g} s"
        time.sleep(POLL)


async def eventually(look: Callable[[], Awaitable[T | None]], what: str) -> T:
    """The first value of ``await look()`` that is not None (nor False),
    within ``INTAKE_TIMEOUT``."""
    try:
        async with asyncio.timeout(INTAKE_TIMEOUT):
            while True:
                found = await look()
                if found is not None and found is not False:
                    return found
                await asyncio.sleep(POLL)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {INTAKE_TIMEOUT:g} s") from None
