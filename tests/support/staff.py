"""Staff of the tests' dialogues, made the app's way (``Accounts``): each
account given its roles in a dialogue, as an administrator does on the
accounts page or with ``doithoai user roles --dialogue``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

from server.actions.accounts import Accounts
from server.domain.model import Dialogue, Role


async def make_members(
    accounts: Accounts, dialogue: Dialogue, staff: Mapping[str, Iterable[Role]]
) -> None:
    """Give each account of ``staff`` its roles in ``dialogue``; administrators
    of the system need no membership, and an account a test did not make is
    left out (tests make only the accounts they use)."""
    for username, roles in staff.items():
        given = sorted(r.value for r in roles if r is not Role.ADMIN)
        if given:
            with contextlib.suppress(LookupError):
                await accounts.update("tests", username, memberships={dialogue.slug: given})
