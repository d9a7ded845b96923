"""The notices' settings: the SMTP URL's forms, and what a node refuses to
start with (a password in clear, a webhook over plain HTTP, a webhook
without its key, e-mail without its From)."""

from __future__ import annotations

import re

import pytest

from server.cli import main
from server.config import SettingError, Settings
from server.outbound.mail import SmtpServer, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://127.0.0.1", SmtpServer("127.0.0.1", 25, "plain")),
        ("smtp://relay:pw@localhost:2525", SmtpServer("localhost", 2525, "plain", "relay", "pw")),
        (
            "smtp://doithoai%40hue.gov.vn:m%E1%BA%ADt@mail.hue.gov.vn:587?starttls=true",
            SmtpServer("mail.hue.gov.vn", 587, "starttls", "doithoai@hue.gov.vn", "mật"),
        ),
        ("smtps://u:p@mail.example.vn", SmtpServer("mail.example.vn", 465, "tls", "u", "p")),
    ],
)
def test_smtp_urls(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.vn", "expected smtp://"),
        ("smtp://u:p@mail.example.vn", "in clear"),
        ("smtps://mail.example.vn?starttls=true", "drop ?starttls"),
        ("smtp://mail.example.vn?tls=yes", "the only option"),
        ("smtp://mail.example.vn?starttls=maybe", "true or false"),
        ("smtp://mail.example.vn:99999", "port"),
    ],
)
def test_smtp_urls_refused(url: str, says: str) -> None:
    with pytest.raises(SettingError, match=re.escape(says)):
        Settings.from_env({"DOITHOAI_SMTP_URL": url})


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DOITHOAI_NOTIFY_WEBHOOK": "http://sms.example.vn/hook"}, "use https"),
        ({"DOITHOAI_SMTP_FROM": "doithoai at example.vn"}, "expected an address"),
        ({"DOITHOAI_NOTIFY_BACKOFF": "0"}, "above 0"),
        ({"DOITHOAI_NOTIFY_ATTEMPTS": "0"}, "1 or more"),
    ],
)
def test_notice_settings_refused(env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingError, match=re.escape(says)):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DOITHOAI_SMTP_URL": "smtp://127.0.0.1"}, "set DOITHOAI_SMTP_FROM"),
        (
            {
                "DOITHOAI_NOTIFY_WEBHOOK": "https://sms.example.vn/hook",
                "DOITHOAI_NOTIFY_WEBHOOK_SECRET": "short",
            },
            "at least 32",
        ),
    ],
)
def test_a_node_will_not_start_half_configured(
    env: dict[str, str],
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    assert says in capsys.readouterr().err


def test_webhook_over_http_only_on_loopback() -> None:
    url = "http://127.0.0.1:9000/hook"
    assert Settings.from_env({"DOITHOAI_NOTIFY_WEBHOOK": url}).notify_webhook == url
