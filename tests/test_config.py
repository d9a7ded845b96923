"""Settings: parsed from the environment, refused with the variable's name, all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.config import SETTINGS, SettingError, Settings
from tests.helpers import REPO_ROOT


def _readme_settings_table() -> dict[str, list[str]]:
    """Rows of the README's ``## Settings`` table, by variable name."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        name = cells[0].strip("`")
        if name != "variable":
            rows[name] = cells
    return rows


def test_readme_lists_every_setting_with_its_default() -> None:
    """The README's Settings table has one row per setting, with the real default."""
    rows = _readme_settings_table()
    assert sorted(rows) == sorted(s.env for s in SETTINGS)
    for setting in SETTINGS:
        _, default, meaning = rows[setting.env]
        assert default == (f"`{setting.default}`" if setting.default else "(unset)"), setting.env
        assert meaning, setting.env


def test_readme_starts_with_the_two_commands() -> None:
    """The README opens with its title and the make demo / make test commands."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# doithoai"
    assert lines[2] == "```sh"
    assert lines[3].startswith("make demo")
    assert lines[4].startswith("make test")


def test_every_setting_field_exists_and_defaults_agree() -> None:
    """Each SETTINGS entry names a Settings field whose default is its parsed default."""
    built = Settings.from_env({})
    fields = set(Settings.__dataclass_fields__)
    assert {s.field for s in SETTINGS} == fields
    for setting in SETTINGS:
        assert getattr(built, setting.field) == getattr(Settings(), setting.field), setting.env
        assert setting.help.strip(), setting.env


def test_from_env_ignores_unrelated_variables_and_uses_defaults() -> None:
    """An environment without doithoai variables gives the defaults."""
    assert Settings.from_env({"HOME": "/root", "PORT": "1"}) == Settings()


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("5/minute", (5, 60.0)),
        ("1/second", (1, 1.0)),
        ("100/hour", (100, 3600.0)),
        (" 7/minute ", (7, 60.0)),
        ("0", (0, 1.0)),
        ("", (0, 1.0)),
    ],
)
def test_rates_are_parsed(raw: str, parsed: tuple[int, float]) -> None:
    """Rates are N/second|minute|hour, and 0 (or empty) turns the limit off."""
    settings = Settings.from_env({"DOITHOAI_SUBMIT_LIMIT": raw, "DOITHOAI_LOGIN_LIMIT": raw})
    assert settings.submit_limit == parsed
    assert settings.login_limit == parsed


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_bools_are_parsed(raw: str, parsed: bool) -> None:
    """Booleans accept the usual spellings, case-insensitively."""
    assert Settings.from_env({"DOITHOAI_SECURE_COOKIES": raw}).secure_cookies is parsed


def test_typed_values_are_parsed() -> None:
    """Numbers, paths, choices and origin lists come out typed."""
    settings = Settings.from_env(
        {
            "DOITHOAI_PORT": "8080",
            "DOITHOAI_WS_PING_INTERVAL": "2.5",
            "DOITHOAI_DATA_DIR": "/srv/doithoai",
            "DOITHOAI_APPENDFSYNC": "always",
            "DOITHOAI_WIDGET_ORIGINS": "https://a.gov.vn/, https://b.vn ,,",
        }
    )
    assert settings.port == 8080
    assert settings.ws_ping_interval == 2.5
    assert settings.data_dir == Path("/srv/doithoai")
    assert settings.appendfsync == "always"
    assert settings.widget_origins == ("https://a.gov.vn", "https://b.vn")


@pytest.mark.parametrize(
    ("env", "raw"),
    [
        ("DOITHOAI_SUBMIT_LIMIT", "5/day"),
        ("DOITHOAI_SUBMIT_LIMIT", "five/minute"),
        ("DOITHOAI_LOGIN_LIMIT", "-1/minute"),
        ("DOITHOAI_SECURE_COOKIES", "maybe"),
        ("DOITHOAI_PORT", "80a"),
        ("DOITHOAI_SESSION_TTL", "1.5"),
        ("DOITHOAI_WS_PING_TIMEOUT", "soon"),
        # 0 would ping (or time a read out) without pause: a loop, not "off";
        # a write stall of 0 is off, below 0 nothing.
        ("DOITHOAI_WS_PING_INTERVAL", "0"),
        ("DOITHOAI_WS_PING_TIMEOUT", "0"),
        ("DOITHOAI_WS_WRITE_STALL", "-2"),
        ("DOITHOAI_INTAKE_CLAIM_IDLE", "0"),
        # A read that does not block spins; one past 1 s nears the Redis timeout.
        ("DOITHOAI_INTAKE_BLOCK", "0"),
        ("DOITHOAI_INTAKE_BLOCK", "1.5"),
        ("DOITHOAI_AIR_UNDO", "-5"),
        # A queue of 0 is an unbounded asyncio.Queue; a TTL or MAXLEN of 0 a Redis error
        # or a stream trimmed to nothing.
        ("DOITHOAI_WS_SEND_QUEUE", "0"),
        ("DOITHOAI_SESSION_TTL", "0"),
        ("DOITHOAI_EVENTS_MAXLEN", "0"),
        ("DOITHOAI_MAX_BODY", "0"),
        ("DOITHOAI_WS_MAX_MESSAGE", "-1"),
        ("DOITHOAI_INTAKE_MAX_DELIVERIES", "0"),
        ("DOITHOAI_WS_PER_ADDRESS", "-1"),
        ("DOITHOAI_APPENDFSYNC", "no"),
        ("DOITHOAI_LOG_LEVEL", "INFO"),
        ("DOITHOAI_REPLAY_MAX", "-1"),
        ("DOITHOAI_REDIS_TIMEOUT", "1.5"),
        ("DOITHOAI_REDIS_CONNECT_TIMEOUT", "0"),
        ("DOITHOAI_WS_CLOSE_DEADLINE", "-1"),
        ("REDIS_SENTINELS", "10.0.0.1"),
        ("REDIS_SENTINELS", "10.0.0.1:26379,10.0.0.2:x"),
        ("DOITHOAI_REPLICA_ACKS", "-1"),
    ],
)
def test_bad_values_raise_naming_the_variable(env: str, raw: str) -> None:
    """A value a setting cannot take raises SettingError naming the variable and the value."""
    with pytest.raises(SettingError) as info:
        Settings.from_env({env: raw})
    assert str(info.value).startswith(f"{env}: ")
    assert repr(raw) in str(info.value)


def test_sentinels_are_host_port_pairs_and_need_the_master_name() -> None:
    """REDIS_SENTINELS parses to (host, port) pairs and goes with
    REDIS_SENTINEL_MASTER; only one way to reach Redis may be set."""
    env = {"REDIS_SENTINELS": "10.0.0.1:26379, [fd00::2]:26380", "REDIS_SENTINEL_MASTER": "dt"}
    settings = Settings.from_env(env)
    assert settings.redis_sentinels == (("10.0.0.1", 26379), ("fd00::2", 26380))
    settings.check_redis()
    with pytest.raises(SettingError, match="go together"):
        Settings.from_env({"REDIS_SENTINELS": "10.0.0.1:26379"}).check_redis()
    with pytest.raises(SettingError, match="REDIS_URL and REDIS_SENTINELS"):
        Settings.from_env({**env, "REDIS_URL": "redis://10.0.0.3"}).check_redis()


def test_a_cluster_is_a_node_s_url_alone() -> None:
    """REDIS_CLUSTER_URL names one node (redis:// or rediss://, with a port);
    it is one way to reach Redis among three, and takes replica acks (WAIT on
    each submission's shard)."""
    url = "redis://10.0.0.7:7000"
    settings = Settings.from_env({"REDIS_CLUSTER_URL": url})
    assert settings.redis_cluster_url == url
    settings.check_redis()
    for bad in ("10.0.0.7:7000", "unix:///run/redis.sock", "redis://10.0.0.7", "http://h:1"):
        with pytest.raises(SettingError, match="REDIS_CLUSTER_URL: expected redis://host:port"):
            Settings.from_env({"REDIS_CLUSTER_URL": bad})
    with pytest.raises(SettingError, match="REDIS_SENTINELS and REDIS_CLUSTER_URL, not both"):
        Settings.from_env(
            {"REDIS_CLUSTER_URL": url, "REDIS_SENTINELS": "10.0.0.1:26379",
             "REDIS_SENTINEL_MASTER": "dt"}
        ).check_redis()  # fmt: skip
    with pytest.raises(SettingError, match="REDIS_URL and REDIS_CLUSTER_URL, not both"):
        Settings.from_env({"REDIS_CLUSTER_URL": url, "REDIS_URL": url}).check_redis()
    acks = Settings.from_env({"REDIS_CLUSTER_URL": url, "DOITHOAI_REPLICA_ACKS": "1"})
    acks.check_redis()
    assert acks.replica_acks == 1


def test_overrides_win_over_the_environment_but_none_does_not() -> None:
    """Keyword overrides (e.g. CLI flags) replace environment values; None leaves them."""
    settings = Settings.from_env({"DOITHOAI_PORT": "9000"}, port=9100, host=None)
    assert settings.port == 9100
    assert settings.host == "127.0.0.1"


def test_origin_defaults_to_host_and_port() -> None:
    """Without a public URL the origin is http://HOST:PORT, with a wildcard bind as 127.0.0.1."""
    assert Settings(host="0.0.0.0", port=8000).origin == "http://127.0.0.1:8000"
    assert Settings(host="::1", port=80).origin == "http://[::1]:80"
    assert Settings(public_url="https://dt.example.vn/").origin == "https://dt.example.vn"


def test_a_node_on_loopback_counts_each_loopback_name_as_itself() -> None:
    """Opened as 127.0.0.1, localhost or [::1] (an IPv6 loopback address),
    the app is its own origin; a node serving others only under its public URL."""
    on_loopback = Settings.from_env({"DOITHOAI_PORT": "8000"})
    assert on_loopback.origins == {
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
    }
    public = Settings.from_env(
        {"DOITHOAI_HOST": "0.0.0.0", "DOITHOAI_PUBLIC_URL": "https://doithoai.example.vn"}
    )
    assert public.origins == {"https://doithoai.example.vn"}
