"""The application layer: every use case of doithoai, one module per family.

``build(store, settings)`` gives the ``Services`` that the web layer, the
CLIs, the demo and the store's workers (intake, notices) call; each family loads, decides with
the pure domain (``server/domain``) and saves through the store, whose
scripts write a state and its event in one atomic step, so nothing here
publishes. Policies live here, not in the HTTP handlers: the rate limits,
the proof of work and the honeypot (``submissions``), login throttling
(``accounts``), who may export contact data (``moderation``).

Nothing here knows HTTP: handlers turn requests into calls, and the
``Refused`` errors (a code and a message to translate) into responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Settings
from ..metrics import DialogueGauges
from ..store.connection import Store
from ..store.errors import Contended, NotReplicated, StoreUnavailable
from .accounts import Accounts, Identity, SignedIn
from .audit import Audit
from .base import Clock, utcnow
from .broadcast import Broadcast
from .closing import Closing
from .dialogues import Dialogues
from .duplicates import DuplicateFinder
from .feeds import Feeds
from .intake import Intake
from .moderation import Moderation
from .notices import Notifications, Outbox
from .reports import Record, Reports
from .submissions import PUBLIC_CHANNELS, Submissions
from .tracking import Tracking

__all__ = [
    "PUBLIC_CHANNELS",
    "Accounts",
    "Contended",
    "Identity",
    "NotReplicated",
    "Record",
    "Services",
    "SignedIn",
    "StoreUnavailable",
    "build",
    "utcnow",
]


@dataclass(frozen=True)
class Services:
    """Every family of use cases, over one store."""

    dialogues: Dialogues
    submissions: Submissions
    moderation: Moderation
    broadcast: Broadcast
    closing: Closing
    intake: Intake
    tracking: Tracking
    feeds: Feeds
    accounts: Accounts
    audit: Audit
    notifications: Notifications
    reports: Reports
    _store: Store = field(repr=False)

    async def unready(self, node: str, max_lag: float) -> list[str]:
        """Why this node should not take traffic (``/readyz``): empty when Redis
        answers and takes a write, and no dialogue's intake lags more than
        ``max_lag`` seconds; raises ``StoreUnavailable`` when Redis does not."""
        await self._store.ping()
        await self._store.watch.probe(node)
        lagging = [d for d in await self._store.watch.dialogues() if d.lag_seconds > max_lag]
        return ["intake_lag"] if lagging else []

    async def gauges(self) -> list[DialogueGauges]:
        """Each dialogue's queues as Redis holds them (``/metrics``)."""
        return await self._store.watch.dialogues()


def build(
    store: Store,
    settings: Settings | None = None,
    *,
    secret: bytes = b"",
    clock: Clock = utcnow,
    outbox: Outbox | None = None,
) -> Services:
    """The services over ``store``. ``secret`` keys the honeypot's codes and
    the sign-in device tokens (the app's secret key); ``clock`` is the time
    every family reads (tests move it); ``outbox`` is where notices to askers
    go (none: nowhere)."""
    settings = settings or Settings()
    dialogues = Dialogues(store, settings, clock)
    # One per node: intake suggests with it, a moderator's edit suggests
    # again, and the staff API lists each suggestion on both questions.
    duplicates = DuplicateFinder(store)
    return Services(
        dialogues=dialogues,
        submissions=Submissions(store, settings, clock, secret=secret, dialogues=dialogues),
        moderation=Moderation(store, settings, clock, duplicates),
        broadcast=Broadcast(store, settings, clock),
        closing=Closing(store, settings, dialogues, clock),
        intake=Intake(store, settings, clock, duplicates),
        tracking=Tracking(store, settings, clock),
        feeds=Feeds(store, settings, clock),
        accounts=Accounts(
            store, settings.session_ttl, login_limit=settings.login_limit, secret=secret
        ),
        audit=Audit(store, settings, clock),
        notifications=Notifications(store, settings, clock, outbox),
        reports=Reports(store, settings, clock),
        _store=store,
    )
