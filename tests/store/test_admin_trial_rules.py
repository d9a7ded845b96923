"""The user trial's admin rules on real Redis: a live dialogue does not step
back to taking questions while a question is on air (the public page would
say "before the broadcast" and "now answering" at once); the officials'
settings name accounts that exist, each for one official, aides apart from
the official's own account, every fault at its field."""

from __future__ import annotations

import pytest

from server.actions import Services
from server.domain.model import Dialogue, DialogueStatus, Role
from server.domain.wording import Refused
from server.store.connection import Store

from .conftest import PRODUCER
from .test_broadcast import queued

PASSWORD = "mật khẩu đủ dài 2026"


async def test_leaving_live_waits_for_the_question_on_air(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    a, _ = await queued(store, actions, dialogue, 2)
    await actions.broadcast.next(dialogue, PRODUCER, current="")  # a on air
    with pytest.raises(Refused) as refused:
        await actions.dialogues.set_status(dialogue, "open")
    assert refused.value.code == "conflict" and refused.value.field == "status"
    assert "off air" in refused.value.say()
    stored = await actions.dialogues.get(dialogue.slug)
    assert stored.status is DialogueStatus.LIVE
    await actions.broadcast.back(dialogue, PRODUCER, current=a)  # nothing on air
    opened = await actions.dialogues.set_status(stored, "open")
    assert opened.status is DialogueStatus.OPEN


def _official(n: int, username: str | None, aides: list[str]) -> dict[str, object]:
    return {"id": f"o{n}", "name": f"Lãnh đạo số {n}", "username": username, "aides": aides}


async def test_officials_name_working_accounts(actions: Services, dialogue: Dialogue) -> None:
    for name in ("giam-doc", "pho-giam-doc", "tro-ly"):
        await actions.accounts.add(name, PASSWORD, [Role.MODERATOR], dialogues=[dialogue.id])
    officials = [
        _official(0, "giam-doc", ["giam-doc", "tro-ly"]),  # own account as aide
        _official(1, "giam-doc", []),  # the same account twice
        _official(2, "khong-co", ["tro-ly-sai"]),  # no such accounts
    ]
    with pytest.raises(Refused) as refused:
        await actions.dialogues.update(dialogue, {"officials": officials, "title": "x"})
    fields = [f.field for f in refused.value.fields]
    assert fields == [
        "title",
        "officials.0.aides",
        "officials.1.username",
        "officials.2.username",
        "officials.2.aides",
    ]
    messages = [f.message.say() for f in refused.value.fields]
    assert "own" in messages[1] and "another official" in messages[2]
    assert "khong-co" in messages[3] and "tro-ly-sai" in messages[4]
    assert (await actions.dialogues.get(dialogue.slug)).officials == dialogue.officials

    fine = [_official(0, "giam-doc", ["tro-ly"]), _official(1, "pho-giam-doc", [])]
    saved = await actions.dialogues.update(dialogue, {"officials": fine})
    assert [o.username for o in saved.officials] == ["giam-doc", "pho-giam-doc"]
    # An aide of one official cannot answer for another.
    taken = [_official(0, "giam-doc", ["tro-ly"]), _official(1, "tro-ly", [])]
    with pytest.raises(Refused) as again:
        await actions.dialogues.update(saved, {"officials": taken})
    assert [f.field for f in again.value.fields] == ["officials.1.username"]
