"""The app in the test process (Starlette's ``TestClient``): its running
services and store, typed, and work run on the app's own event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.actions import Services
from server.config import Settings
from server.store.connection import Store

T = TypeVar("T")


def _app(client: TestClient) -> Starlette:
    app = client.app
    assert isinstance(app, Starlette), app
    return app


def services_of(client: TestClient) -> Services:
    """The running app's use cases (``create_app``'s lifespan made them)."""
    return cast(Services, _app(client).state.services)


def store_of(client: TestClient) -> Store:
    return cast(Store, _app(client).state.store)


def settings_of(client: TestClient) -> Settings:
    return cast(Settings, _app(client).state.settings)


def on_app_loop(client: TestClient, work: Callable[..., Awaitable[T]], *args: Any) -> T:
    """``await work(*args)`` on the running app's event loop (inside ``with client``)."""
    assert client.portal is not None, "the app runs only inside `with TestClient(...)`"
    return client.portal.call(work, *args)
