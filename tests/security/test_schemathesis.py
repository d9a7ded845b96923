"""Schemathesis against the OpenAPI document (issue 6): generated requests,
valid and invalid, for every operation, sent to a real server with an
admin's API token: no 5xx, and no response that breaks the document.

The schema is the document the server serves (``server.web.openapi``; the
first test checks that ``/api/v1/openapi.json`` is exactly it), loaded at
import so that each operation is its own test. Examples per operation are
few and bounded (``MAX_EXAMPLES``) to keep the run short on a shared machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.domain.model import Role
from server.web.openapi import document
from tests.helpers import ServerProcess
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.web.seed import SLUG

from .people import create_token

pytestmark = pytest.mark.e2e

#: Generated cases per operation: enough to hit each status an operation
#: documents with valid and invalid input, few enough for a short run.
MAX_EXAMPLES = 12
#: "No 5xx, no response that breaks the document": a status, media type,
#: header or body the document does not give for the operation. (Not the
#: checks of how strictly the API refuses bad input or bad credentials.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(document())


def _operations() -> dict[str, APIOperation]:
    """Every operation of the document, by its label ("GET /api/v1/dialogues")."""
    found = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document's own error, at collection
        found[result.ok().label] = result.ok()
    return found


OPERATIONS = _operations()
AUDIT = "/api/v1/dialogues/{slug}/audit"


@dataclass(frozen=True)
class Api:
    url: str
    token: str
    #: Path values that exist, so that generated requests go past the lookup.
    known: dict[str, list[str]]


@pytest.fixture(scope="module")
def api(site: ServerProcess, redis_server: str) -> Api:
    """The server, an admin's token, and a dialogue with questions in several states."""
    moderator = StaffClient(site.url, "moderator")
    try:
        codes = [
            submit(site.url, SLUG, f"Câu hỏi số {n} cho kiểm thử lược đồ?", name="Trần An")
            for n in range(3)
        ]
        ids = question_ids(site.env["REDIS_URL"], codes)
        moderator.act(SLUG, ids[codes[0]], "approve")
        moderator.act(SLUG, ids[codes[1]], "reject", reason="spam")
    finally:
        moderator.close()
    known = {
        "slug": [SLUG],
        "id": list(ids.values()),
        "code": codes,
        "username": ["producer"],
    }
    return Api(site.url, create_token(redis_server, "admin", Role.ADMIN), known)


def test_the_served_document_is_the_one_tested(site: ServerProcess) -> None:
    """GET /api/v1/openapi.json is the document the cases below come from."""
    served = httpx.get(f"{site.url}/api/v1/openapi.json", timeout=20)
    assert served.status_code == 200
    assert served.json() == document()


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_api(operation: str, api: Api) -> None:
    """No generated request gets a 5xx or a response the document does not allow.

    One test per operation, parametrized by pytest rather than by
    ``schema.parametrize()``, whose items all share one node id: pytest-xdist
    (``make test``) would run one of them and drop the others unseen."""

    @given(case=OPERATIONS[operation].as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def generated(case: schemathesis.Case) -> None:
        for name, values in api.known.items():
            if name in (case.path_parameters or {}):
                value = str(case.path_parameters[name])
                # Mostly a value that exists; now and then the generated one (a 404).
                if len(value) % 4:
                    case.path_parameters[name] = values[len(value) % len(values)]
        case.call_and_validate(
            base_url=api.url,
            headers={"Authorization": f"Bearer {api.token}"},
            checks=CHECKS,
            timeout=20,
        )

    generated()


def test_audit_cursor_is_validated(api: Api) -> None:
    """A ``before`` cursor that is not one the audit API gave is a 400, not a 500."""
    response = httpx.get(
        f"{api.url}{AUDIT.format(slug=SLUG)}?before=not-a-stream-id",
        headers={"Authorization": f"Bearer {api.token}"},
        timeout=20,
    )
    assert response.status_code == 400, response.text
