"""The live dashboard of a dialogue, for its moderators, producers and
administrators: ``GET /api/v1/dialogues/{slug}/dashboard`` (JSON) and the
page ``/console/{slug}/dashboard``, its charts drawn here as SVG (no
script needed to see them, nothing from elsewhere), every figure also in a
table. The page's script listens to the staff feed and fetches the JSON
again, at most once a second, when something happened."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import dashboard, tally
from ..domain import views as v
from ..domain.access import Permission
from .auth import require, require_dialogue_scope, require_staff
from .context import services
from .staff_gate import open_staff_page


def _wait(w: dashboard.Wait) -> v.DashboardWait:
    return {
        "count": w.count,
        "median_at_most": dashboard.Wait.bound(w.median),
        "p90_at_most": dashboard.Wait.bound(w.p90),
    }


def _tallies(rows: list[tuple[str, int]]) -> list[v.Tally]:
    return [{"name": name, "count": n} for name, n in rows]


def view(d: dashboard.Dashboard) -> v.Dashboard:
    """The dashboard as the API sends it."""
    return {
        "at": d.at,
        "total": d.total,
        "people": d.people,
        "by_status": d.by_status,
        "by_topic": _tallies(d.by_topic),
        "by_locality": _tallies(d.by_locality),
        "by_channel": _tallies(d.by_channel),
        "answered_live": d.answered_live,
        "answered_written": d.answered_written,
        "owed": d.owed,
        "overdue": d.overdue,
        "clusters": d.clusters,
        "merged": d.merged,
        "minutes": [
            {"at": m.at, "received": m.received, "approved": m.approved, "rejected": m.rejected}
            for m in d.minutes
        ],
        "steps": [
            {
                "at": p.at,
                "step": p.step,
                "received": p.received,
                "approved": p.approved,
                "rejected": p.rejected,
            }
            for p in dashboard.steps(d.minutes)
        ],
        "decided": _wait(d.decided),
        "answered": _wait(d.answered),
        "bounds": list(tally.BOUNDS),
        "last_event_id": d.last_event_id,
        "viewers": d.viewers,
        "viewers_peak": d.viewers_peak,
        "supported": [
            {"id": s.id, "text": s.text, "votes": s.votes, "status": s.status}  # type: ignore[typeddict-item]
            for s in d.supported
        ],
    }


async def dashboard_api(request: Request) -> Response:
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.DASHBOARD)
    return JSONResponse(view(await app.reports.dashboard(dialogue)))


async def dashboard_page(request: Request) -> Response:
    page = await open_staff_page(request, Permission.DASHBOARD)
    if isinstance(page, Response):
        return page
    shown = view(await services(request).reports.dashboard(page.dialogue))
    return page.render(
        "dashboard.html",
        shown=shown,
        may_moderate=page.identity.may(page.dialogue, Permission.MODERATE),
        may_produce=page.identity.may(page.dialogue, Permission.PRODUCE),
    )
