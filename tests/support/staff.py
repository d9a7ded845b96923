"""Staff in the tests: accounts given their roles in a dialogue the app's
way (``Accounts``, as an administrator does on the accounts page or with
``doithoai user roles --dialogue``), and signed in over HTTP as the consoles
are: the session cookie, the Origin and the CSRF token on every change."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from server.actions import Services
from server.actions.accounts import Accounts
from server.domain.model import Dialogue, Role

from .store import with_actions

#: Every staff account of the tests has this password.
PASSWORD = "pw-123456"
SESSION = "/api/v1/session"
#: The cookie that makes a browser a known device of the accounts signed in on it.
DEVICE = "doithoai_device"


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


def add_accounts(redis_url: str, usernames: Iterable[str]) -> None:
    """Accounts with ``PASSWORD`` and no role yet (``create_dialogue`` makes
    them members)."""

    async def work(actions: Services) -> None:
        for username in usernames:
            await actions.accounts.add(username, PASSWORD)

    with_actions(redis_url, work)


def create_dialogue(
    redis_url: str, members: Mapping[str, Iterable[Role]], **fields: Any
) -> Dialogue:
    """A dialogue made as an administrator makes it (``fields``: its slug,
    title, topics, ...), with ``members`` (username -> roles) given their roles."""

    async def work(actions: Services) -> Dialogue:
        dialogue = await actions.dialogues.create(**fields)
        await make_members(actions.accounts, dialogue, members)
        return dialogue

    return with_actions(redis_url, work)


def sign_in_status(
    base_url: str, username: str, password: str = PASSWORD, device: str | None = None
) -> int:
    """The status of one sign-in from a new browser, or from one that shows
    ``device`` (the device cookie an earlier sign-in gave it)."""
    cookies = {DEVICE: device} if device is not None else None
    with httpx.Client(
        base_url=base_url, headers={"Origin": base_url}, cookies=cookies, timeout=30
    ) as client:
        return client.post(SESSION, json={"username": username, "password": password}).status_code


def _csrf(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _path(slug: str, qid: str, action: str) -> str:
    return f"/api/v1/dialogues/{slug}/questions/{qid}/actions/{action}"


class StaffClient:
    """A signed-in staff member's browser over HTTP. ``send`` and ``post``
    add the CSRF token; ``client`` sends requests as they are."""

    def __init__(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        self.username = username
        self.client = httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=30)
        self.csrf = _csrf(
            self.client.post(SESSION, json={"username": username, "password": password})
        )
        self.session = next(iter(self.client.cookies.values()))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        """An unsafe request as the consoles send it (``headers`` override)."""
        return self.client.request(
            method, path, json=body, headers={"X-CSRF-Token": self.csrf, **headers}
        )

    def post(self, path: str, json: Any = None) -> httpx.Response:
        """POST ``json`` (an empty object if None), as the consoles do."""
        return self.send("POST", path, {} if json is None else json)

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.client.get(path, **options)

    def act(self, slug: str, qid: str, action: str, **body: Any) -> dict[str, Any]:
        """Take ``action`` on question ``qid`` of dialogue ``slug``; it must succeed."""
        response = self.post(_path(slug, qid, action), body)
        assert response.status_code == 200, f"{self.username} {action} {qid}: {response.text}"
        return dict(response.json())

    def question(self, slug: str, qid: str) -> dict[str, Any]:
        """The staff view of question ``qid``."""
        response = self.client.get(f"/api/v1/dialogues/{slug}/questions/{qid}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def questions(self, slug: str, status: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {"limit": 500, **({"status": status} if status else {})}
        response = self.client.get(f"/api/v1/dialogues/{slug}/questions", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    def queue(self, slug: str) -> list[str]:
        """The ids of the on-air queue, in the server's order."""
        return [q["id"] for q in self.questions(slug, "queued")]


class AsyncStaffClient:
    """A signed-in staff member over HTTP, for async tests (see ``sign_in``)."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    async def act(self, slug: str, qid: str, action: str, **body: Any) -> httpx.Response:
        """Take ``action`` on question ``qid``; the response, whatever it says."""
        return await self.client.post(
            _path(slug, qid, action), json=body, headers={"X-CSRF-Token": self.csrf}
        )

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())

    async def aclose(self) -> None:
        await self.client.aclose()


async def sign_in(base_url: str, username: str, password: str = PASSWORD) -> AsyncStaffClient:
    """``username`` signed in to the app at ``base_url``."""
    client = httpx.AsyncClient(base_url=base_url, headers={"Origin": base_url}, timeout=30)
    response = await client.post(SESSION, json={"username": username, "password": password})
    return AsyncStaffClient(client, _csrf(response))
