"""Who may do what in a dialogue: the one table that every staff route,
socket and page asks.

Staff accounts are members of dialogues, with roles per dialogue
(``Membership``); an account may also be a system administrator, who is
admin in every dialogue and alone manages accounts and creates dialogues.
Naming an account as an official's (or an aide's) in a dialogue's settings
makes it that dialogue's official too: the admin who named it granted it.
An API token acts with its one role, and only where its account holds that
role.

``roles_in`` says which roles someone holds in one dialogue; ``allows``
says whether those roles give a ``Permission``. What each question action
needs beyond a permission is the transition table's (``lifecycle.TABLE``).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .model import Actor, Dialogue, Role

MOD, OFF, PROD, SEC = Role.MODERATOR, Role.OFFICIAL, Role.PRODUCER, Role.SECRETARY


class Permission(StrEnum):
    """What a staff member may do in a dialogue (besides the question actions
    of the transition table, which need ``SEE`` first)."""

    #: Read its questions (the staff API, the console feed), see it as a draft,
    #: take the question actions its roles allow, add notes.
    SEE = "see"
    #: Enter a question received by hotline, email or on paper.
    ENTER = "enter"
    #: The moderation console, bulk decisions, "being handled by".
    MODERATE = "moderate"
    #: The producer console, "next question", the overlay's link.
    PRODUCE = "produce"
    #: The official console (a secretary's: every official's summaries to write).
    ANSWER = "answer"
    #: The audit trail.
    AUDIT = "audit"
    #: Export the questions.
    EXPORT = "export"
    #: The live dashboard of the dialogue's figures.
    DASHBOARD = "dashboard"
    #: See citizens' contact data (in the console and in exports).
    CONTACT = "contact"
    #: End the broadcast: close the dialogue and owe written answers.
    CLOSE = "close"
    #: The dialogue's settings and phase, and a new overlay token.
    MANAGE = "manage"


#: The table: the roles that give each permission. Admin (of the dialogue or
#: of the system) has every permission.
TABLE: Mapping[Permission, frozenset[Role]] = {
    Permission.SEE: frozenset({MOD, OFF, PROD, SEC}),
    Permission.ENTER: frozenset({MOD, OFF, PROD}),
    Permission.MODERATE: frozenset({MOD}),
    Permission.PRODUCE: frozenset({PROD}),
    Permission.ANSWER: frozenset({OFF, SEC}),
    Permission.AUDIT: frozenset({MOD}),
    Permission.EXPORT: frozenset({MOD}),
    Permission.DASHBOARD: frozenset({MOD, PROD}),
    Permission.CONTACT: frozenset({MOD}),
    Permission.CLOSE: frozenset({PROD}),
    Permission.MANAGE: frozenset(),
}

#: An account's roles per dialogue: dialogue id -> roles.
Memberships = Mapping[str, frozenset[Role]]


def roles_in(
    dialogue: Dialogue,
    username: str,
    *,
    admin: bool,
    memberships: Memberships,
    token_role: Role | None = None,
) -> frozenset[Role]:
    """The roles ``username`` holds in ``dialogue``: every one for a system
    administrator, else its membership's, plus official when the dialogue's
    settings name it an official's account or aide. Through an API token,
    only the token's role, if the account holds it there."""
    if admin:
        held = frozenset(Role)
    else:
        held = memberships.get(dialogue.id, frozenset())
        if Role.ADMIN in held:
            held = frozenset(Role)
        elif dialogue.official_for(username) is not None:
            held = held | {OFF}
    if token_role is not None:
        return frozenset({token_role}) & held
    return frozenset({Role.ADMIN}) if Role.ADMIN in held else held


def allows(roles: frozenset[Role], permission: Permission) -> bool:
    """Whether ``roles`` (held in one dialogue) give ``permission``."""
    return Role.ADMIN in roles or bool(roles & TABLE[permission])


def actor_in(
    dialogue: Dialogue, username: str, roles: frozenset[Role], address: str | None = None
) -> Actor:
    """``username`` acting in ``dialogue`` with ``roles``: with the official
    they answer as there, if any, and their client address (for the audit trail)."""
    official = dialogue.official_for(username)
    return Actor(username, roles, official.id if official else None, address)
