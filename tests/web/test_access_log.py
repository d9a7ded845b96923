"""The access log's redaction of the secrets that travel in paths."""

from __future__ import annotations

import logging

import pytest

from server.web.access_log import RedactSecrets, redact


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/t/7K2M-9QXD-4HPA", "/t/…"),
        ("/t/7K2M-9QXD-4HPA/contact", "/t/…/contact"),
        ("/api/v1/tracking/7K2M9QXD4HPA", "/api/v1/tracking/…"),
        ("/api/v1/tracking/7K2M9QXD4HPA/contact", "/api/v1/tracking/…/contact"),
        ("/api/v1/tracking/7K2M?lang=en", "/api/v1/tracking/…?lang=en"),
        ("/d/hue/screen?token=abc-DEF_123", "/d/hue/screen?token=…"),
        ("/d/hue/screen?lang=vi&token=abc&x=1", "/d/hue/screen?lang=vi&token=…&x=1"),
        ("/d/hue", "/d/hue"),
        ("/api/v1/dialogues/hue/questions", "/api/v1/dialogues/hue/questions"),
        ("/static/t/x.js", "/static/t/…"),
    ],
)
def test_secrets_in_paths_are_hidden(path: str, logged: str) -> None:
    assert redact(path) == logged


def test_the_filter_rewrites_the_path_of_a_record() -> None:
    """uvicorn's access record keeps its shape: only the path changes."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5000", "GET", "/t/7K2M-9QXD", "1.1", 200), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '203.0.113.9:5000 - "GET /t/… HTTP/1.1" 200'
