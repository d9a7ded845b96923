"""Every action the audit trail records has its words (server/domain/audit.py's
ACTIONS), which the audit page says in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from server.domain.audit import ACTIONS
from server.domain.lifecycle import EVENT_TYPES
from server.domain.wording import Message
from tests.support.wording import en, vi

SERVER = Path(__file__).resolve().parents[2] / "server"
#: The actions the application layer records by name (beside the question
#: actions): "dialogue.edit", "screen.rotate", "contact.deleted", "export" ...
NAMED = re.compile(r'"((?:dialogue|screen|contact|account)\.[a-z_]+)"')
BY = re.compile(r'audit\.by\([^,]+,\s*"([a-z_.]+)"')


def recorded() -> set[str]:
    found = set(EVENT_TYPES) - {"screen"}  # intake's screening is not audited
    for path in (SERVER / "actions").glob("*.py"):
        source = path.read_text()
        found |= set(NAMED.findall(source)) | set(BY.findall(source))
    # accounts.py records f"account.{action}" with these two.
    return found | {"account.created", "account.changed"}


def test_every_recorded_action_has_its_words() -> None:
    actions = recorded()
    assert {"export", "enter", "contact.deleted", "dialogue.status", "screen.rotate"} <= actions
    assert actions == set(ACTIONS), actions ^ set(ACTIONS)


def test_the_words_are_said_in_both_languages() -> None:
    approve = Message(ACTIONS["approve"])
    assert (vi(approve), en(approve)) == ("Duyệt và đăng", "Approved and published")
    said = [vi(Message(label)) for label in ACTIONS.values()]
    assert len(set(said)) == len(said)
