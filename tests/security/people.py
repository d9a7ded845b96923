"""The people of the security tests besides tests/web/seed.py's: more staff
of the seeded dialogue, another dialogue with members of its own, a
disabled account and API tokens, all made the app's way (``Accounts``, the
code behind ``doithoai user`` and ``doithoai token``)."""

from __future__ import annotations

from server.actions import Services
from server.domain.model import Role
from tests.support.staff import PASSWORD
from tests.support.store import with_actions
from tests.web.seed import SLUG

#: Accounts these tests add to tests/web/seed.py's (moderator and producer of
#: its dialogue, admin of the system), with their roles in the seed's
#: dialogue: the dialogue's official ``o1`` answers as ``official``;
#: ``quan-ly`` manages that dialogue only; the former administrator is
#: disabled once signed in (see ``disable``).
EXTRA_ACCOUNTS = {
    "official": frozenset({Role.OFFICIAL}),
    "quan-ly": frozenset({Role.ADMIN}),
    "cuu-quan-tri": frozenset(),
}
DISABLED = "cuu-quan-tri"
MANAGER = "quan-ly"
#: Another live dialogue, and a member of each role in it and in no other:
#: every request of theirs about the seed's dialogue must be refused.
OTHER_SLUG = "doi-thoai-khac"
OUTSIDERS = {
    "khac-moderator": Role.MODERATOR,
    "khac-producer": Role.PRODUCER,
    "khac-official": Role.OFFICIAL,
    "khac-quan-ly": Role.ADMIN,
}
OFFICIAL_ID = "o1"


def add_accounts(redis_url: str) -> None:
    """Make ``EXTRA_ACCOUNTS`` (with the seed's password), the other dialogue
    and its ``OUTSIDERS``."""

    async def work(actions: Services) -> None:
        accounts = actions.accounts
        await accounts.add(DISABLED, PASSWORD, frozenset({Role.ADMIN}))
        for username, roles in EXTRA_ACCOUNTS.items():
            if roles:
                await accounts.add(username, PASSWORD)
                given = sorted(r.value for r in roles)
                await accounts.update("tests", username, memberships={SLUG: given})
        await actions.dialogues.create(
            slug=OTHER_SLUG,
            title="Đối thoại về cải cách hành chính",
            status="live",
            officials=[
                {
                    "id": "o9",
                    "name": "Lê Văn Chín",
                    "title": "Giám đốc Sở Nội vụ",
                    "username": "khac-official",
                }
            ],
        )
        for username, role in OUTSIDERS.items():
            await accounts.add(username, PASSWORD)
            await accounts.update("tests", username, memberships={OTHER_SLUG: [role.value]})

    with_actions(redis_url, work)


def disable(redis_url: str, username: str) -> None:
    """Disable an account as ``doithoai user disable`` does."""

    async def work(actions: Services) -> None:
        await actions.accounts.set_disabled(username, True)

    with_actions(redis_url, work)


def create_token(redis_url: str, username: str, role: Role) -> str:
    """An API token's secret, made as ``doithoai token create`` makes it."""

    async def work(actions: Services) -> str:
        secret, _ = await actions.accounts.create_token(username, role, (), "security tests", "")
        return secret

    return with_actions(redis_url, work)
