"""deploy/cluster/: the files deploy/README.md installs on several hosts are
the files tested here, with only their addresses, ports and paths moved
onto this machine: nginx -t takes the HTTPS site and it serves two nodes
over TLS; systemd-analyze verifies the unit; the settings file names only
settings the node knows and passes its start checks; redis-server takes
the node configuration, and the README's `redis-cli --cluster create` makes
a cluster whose replicas are on other hosts than their primaries."""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import yaml
from websockets.sync.client import connect

from server.config import SETTINGS, Settings
from tests.helpers import REPO_ROOT, ServerProcess, free_port
from tests.support import nginx
from tests.support.redis_server import stop_redis
from tests.support.waiting import wait_for
from tests.web.seed import SLUG, seed, server_env

CLUSTER = REPO_ROOT / "deploy" / "cluster"
GUIDE = REPO_ROOT / "deploy" / "README.md"

#: Settings deploy/cluster/doithoai.env sets that server/config.py does not
#: know yet. REDIS_CLUSTER_URL comes with Redis Cluster support (issue 14,
#: item 1); once it is in SETTINGS, test_pending_settings_are_still_pending
#: fails: delete it here, and the settings file is checked whole.
PENDING: frozenset[str] = frozenset()

#: Where deploy/README.md installs each file.
INSTALLED = {
    "nginx.conf": "/etc/nginx/sites-available/doithoai",
    "doithoai@.service": "/etc/systemd/system/doithoai@.service",
    "doithoai.env": "/etc/doithoai/doithoai.env",
    "redis-cluster.conf": "/etc/redis/doithoai-cluster.conf",
    "redis-doithoai-7000.conf": "/etc/redis/redis-doithoai-7000.conf",
}
#: The nodes' host in the example (nginx's upstream, DOITHOAI_HOST) and nginx's.
NGINX_HOST = "10.0.0.10"
#: The Redis hosts of the example, and the loopback addresses standing in for them.
REDIS_HOSTS = {"10.0.0.21": "127.0.0.2", "10.0.0.22": "127.0.0.3", "10.0.0.23": "127.0.0.4"}
PASSWORD = "test-cluster-password"
SETTLE = 60.0


def test_the_guide_installs_every_file_where_the_others_expect_it() -> None:
    """deploy/README.md's table names each file of deploy/cluster/ with the
    path its commands install it at, the path the other files refer to."""
    guide = GUIDE.read_text()
    shipped = sorted(p.name for p in CLUSTER.iterdir())
    assert sorted(INSTALLED) == shipped
    for name, path in INSTALLED.items():
        assert f"| [cluster/{name}](cluster/{name}) | `{path}`" in guide, name
    assert (
        f"EnvironmentFile={INSTALLED['doithoai.env']}"
        in (CLUSTER / "doithoai@.service").read_text()
    )
    node = (CLUSTER / "redis-doithoai-7000.conf").read_text()
    assert f"include {INSTALLED['redis-cluster.conf']}" in node


# -- the settings file ------------------------------------------------------


def _env() -> dict[str, str]:
    """deploy/cluster/doithoai.env as systemd reads it (NAME=value lines)."""
    found = {}
    for line in (CLUSTER / "doithoai.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and name == name.strip() and re.fullmatch(r"[A-Z_]+", name), line
            found[name] = value
    return found


KNOWN = frozenset(setting.env for setting in SETTINGS)


def test_the_settings_file_names_only_settings_the_node_knows() -> None:
    assert set(_env()) - KNOWN - PENDING == set()


def test_pending_settings_are_still_pending() -> None:
    """Tightens the check above once a pending setting lands."""
    landed = PENDING & KNOWN
    assert not landed, f"{sorted(landed)} in server/config.py now: remove from PENDING"


def test_the_settings_file_passes_the_checks_of_serve() -> None:
    """As `doithoai serve` would check it (beyond loopback, behind HTTPS,
    behind nginx), and consistent with the nginx site."""
    env = {k: v for k, v in _env().items() if k not in PENDING}
    settings = Settings.from_env(env)
    settings.check_public_url()
    settings.check_notify()
    settings.check_redis()
    assert "REDIS_URL" not in env and "REDIS_SENTINELS" not in env
    site = (CLUSTER / "nginx.conf").read_text()
    assert settings.public_url == "https://" + re.findall(r"server_name (\S+);", site)[0]
    assert settings.secure_cookies
    assert [str(net) for net in settings.trusted_proxies] == [f"{NGINX_HOST}/32"]
    assert f"server {settings.host}:8000 " in site
    assert settings.replica_acks == 0  # refused beside REDIS_CLUSTER_URL


# -- the unit ---------------------------------------------------------------


def _unit() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (CLUSTER / "doithoai@.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_runs_serve_hardened_and_restarts() -> None:
    unit = _unit()
    assert unit["ExecStart"] == ["/opt/doithoai/bin/doithoai serve --port %i"]
    assert unit["EnvironmentFile"] == [INSTALLED["doithoai.env"]]
    assert unit["Restart"] == ["always"]
    assert unit["RestartPreventExitStatus"] == ["2"]  # a refused setting: main() returns 2
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert unit[key] == [value], key
    # Nowhere to write: a node without REDIS_CLUSTER_URL fails to start.
    assert "StateDirectory" not in unit and "ReadWritePaths" not in unit
    assert unit["Environment"] == ["DOITHOAI_DATA_DIR=/nonexistent/doithoai"]


def test_systemd_analyze_verifies_the_unit() -> None:
    """An instance of the template, run by this checkout's doithoai."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian: the systemd package)"
    doithoai = Path(sys.executable).parent / "doithoai"
    assert doithoai.exists(), doithoai
    text = (CLUSTER / "doithoai@.service").read_text()
    with tempfile.TemporaryDirectory(prefix="dt-unit-") as tmp:
        unit = Path(tmp, "doithoai@8000.service")
        unit.write_text(text.replace("/opt/doithoai/bin/doithoai", str(doithoai)))
        result = subprocess.run(
            [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
        )
    complaints = [line for line in result.stderr.splitlines() if "doithoai" in line]
    assert result.returncode == 0 and complaints == [], result.stderr
    # Each of its lines is one systemd knows: a misspelt key is only "ignoring".


# -- nginx -------------------------------------------------------------------


def _certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "fullchain.pem", tmp / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=doithoai.example.vn",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def _site(tmp: Path, upstreams: list[int] | None = None, ports: tuple[int, int] = (80, 443)) -> str:
    """The HTTPS site with this machine's certificate and log; with
    ``upstreams``, its nodes on those local ports and nginx on ``ports``."""
    cert, key = _certificate(tmp)
    site = (CLUSTER / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/doithoai.example.vn/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/doithoai.example.vn/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    if upstreams is not None:
        servers = "".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams
        )
        site = re.sub(r"(    server 10\.0\.0\.\d+:\d+[^\n]*\n)+", servers, site)
        site = re.sub(r"    listen \[::\][^\n]*\n", "", site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{ports[0]};")
        site = site.replace("listen 443 ", f"listen 127.0.0.1:{ports[1]} ")
        # No OCSP responder here: stapling would only warn.
        site = re.sub(r"    ssl_stapling[^\n]*\n", "", site)
    return site


def test_nginx_takes_the_https_site() -> None:
    with tempfile.TemporaryDirectory(prefix="dt-nginx-") as tmp:
        result = nginx.check(nginx.prefix(Path(tmp), _site(Path(tmp))))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_both_sites_share_the_snippets_compose_mounts() -> None:
    """The sites include the shared snippets from /etc/nginx/doithoai/, where
    compose.yaml mounts deploy/nginx-shared/ and deploy/README.md installs it."""
    for site in (REPO_ROOT / "deploy" / "nginx.conf", CLUSTER / "nginx.conf"):
        text = site.read_text()
        assert re.findall(r"include (\S+);", text) == ["doithoai/http.conf", "doithoai/proxy.conf"]
        assert "log_format" not in text and "map " not in text  # only in the snippets
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
    assert "./deploy/nginx-shared:/etc/nginx/doithoai:ro" in compose["services"]["lb"]["volumes"]
    assert "/etc/nginx/doithoai/" in GUIDE.read_text()


@pytest.fixture
def https_site(redis_url: str) -> Iterator[tuple[str, str, Path]]:
    """Two nodes as the settings file configures them (but on this Redis)
    behind the HTTPS site: its http and https URLs, and its access log."""
    seed(redis_url)
    env = {
        **server_env(redis_url),
        "DOITHOAI_SECRET_KEY": "k" * 64,
        "DOITHOAI_TRUSTED_PROXIES": "127.0.0.1",
        "DOITHOAI_SECURE_COOKIES": "true",
    }
    ports = (free_port(), free_port())
    with (
        tempfile.TemporaryDirectory(prefix="dt-nginx-") as tmp,
        ServerProcess(env={**env, "DOITHOAI_NODE_NAME": "app1"}) as app1,
        ServerProcess(env={**env, "DOITHOAI_NODE_NAME": "app2"}) as app2,
    ):
        site = _site(Path(tmp), [app1.port, app2.port], ports)
        with nginx.running(nginx.prefix(Path(tmp), site), ports[1]):
            yield (
                f"http://127.0.0.1:{ports[0]}",
                f"https://127.0.0.1:{ports[1]}",
                Path(tmp, "doithoai.access.log"),
            )


@pytest.mark.e2e
def test_the_https_site_serves_the_nodes(https_site: tuple[str, str, Path]) -> None:
    """Plain HTTP is sent to HTTPS; over HTTPS the page carries HSTS, the
    live feed upgrades, /metrics is not served, and the access log holds no
    tracking code."""
    http, https, log = https_site
    redirect = httpx.get(f"{http}/d/{SLUG}?x=1", headers={"Host": "doithoai.example.vn"})
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"https://doithoai.example.vn/d/{SLUG}?x=1"
    with httpx.Client(base_url=https, verify=False, timeout=20) as client:
        page = client.get(f"/d/{SLUG}")
        assert page.status_code == 200
        assert page.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        assert page.headers["server"] == "nginx"
        assert client.get("/metrics").status_code == 404
        client.get("/t/4KQ7-ABCDE-FGHJK")
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    with connect(
        https.replace("https", "wss") + f"/ws/v1/dialogues/{SLUG}/feed", ssl=insecure
    ) as ws:
        assert '"type":"snapshot"' in str(ws.recv(timeout=20))

    def whole_log() -> str | None:
        """The access log once it has the five requests (the socket's at its close)."""
        text = log.read_text()
        return text if text.count("\n") >= 5 else None

    logged = wait_for(whole_log, "the five requests in the access log")
    assert f"/d/{SLUG}" in logged and "/t/-" in logged
    assert "ABCDE" not in logged and "x=1" not in logged


# -- Redis Cluster -----------------------------------------------------------


def _guide_line(start: str) -> str:
    """The shell line of deploy/README.md that begins with ``start`` (its
    continuation lines joined)."""
    found = re.search(rf"^ *{re.escape(start)}(?:.*\\\n)*.*$", GUIDE.read_text(), re.M)
    assert found, f"deploy/README.md has no {start} ..."
    return found[0].replace("\\\n", " ").strip()


def _node_conf(tmp: Path, address: str, port: int) -> Path:
    """The node's configuration made by deploy/README.md's own commands (its
    printf and its sed) on the host at ``address``, whose root is
    ``tmp/address``. This machine stands in for every host: each binds only
    its own address (its loopback would be shared), and makes its outgoing
    cluster connections from it, as a host's only address would."""
    root = tmp / address
    etc = root / "etc" / "redis"
    if not etc.exists():
        etc.mkdir(parents=True)
        shutil.copy(CLUSTER / "redis-cluster.conf", etc / "doithoai-cluster.conf")
    for start in ("printf 'requirepass", "sed -e"):
        line = _guide_line(start).replace("/etc/redis/", f"{etc}/")
        subprocess.run(
            ["sh", "-euc", line],
            check=True, cwd=REPO_ROOT, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PASSWORD": PASSWORD, "ADDR": address, "PORT": str(port)},
        )  # fmt: skip
    conf = etc / f"redis-doithoai-{port}.conf"
    text = conf.read_text()
    assert f"bind {address} 127.0.0.1\n" in text, text
    text = text.replace(
        f"bind {address} 127.0.0.1\n", f"bind {address}\nbind-source-addr {address}\n"
    )
    for path, place in (("/var/lib/redis/", "lib"), ("/run/", "run"), ("/var/log/redis/", "log")):
        (root / place / f"doithoai-{port}").mkdir(parents=True)
        text = text.replace(path, f"{root}/{place}/")
    conf.write_text(text.replace("/etc/redis/", f"{etc}/"))
    return conf


def _start(conf: Path, address: str, port: int) -> subprocess.Popen[bytes]:
    """redis-server on ``conf`` as Debian's redis-server@.service runs it, once it answers."""
    server = shutil.which("redis-server")
    assert server, "redis-server is missing (Debian: the redis-server package)"
    process = subprocess.Popen([server, str(conf), "--daemonize", "no"], stdin=subprocess.DEVNULL)
    client = redis.Redis(host=address, port=port, password=PASSWORD, socket_timeout=2)

    def answers() -> bool:
        assert process.poll() is None, f"redis-server exited with {process.returncode}"
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, f"redis-server on {address}:{port}", SETTLE)
    finally:
        client.close()
    return process


def _free(address: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def _ports(count: int) -> list[int]:
    """Ports free on every stand-in host, with their cluster bus ports (+10000)."""
    found: list[int] = []
    while len(found) < count:
        port = free_port()
        if port + 10000 < 65536 and all(
            _free(a, p) for a in REDIS_HOSTS.values() for p in (port, port + 10000)
        ):
            found.append(port)
    return found


def test_redis_server_takes_the_node_configuration() -> None:
    """Cluster mode, always-fsync AOF, no eviction, and a password."""
    address = "127.0.0.2"
    with tempfile.TemporaryDirectory(prefix="dt-rnode-") as tmp:
        (port,) = _ports(1)
        process = _start(_node_conf(Path(tmp), address, port), address, port)
        try:
            with redis.Redis(host=address, port=port, password=PASSWORD) as node:
                assert node.info("cluster")["cluster_enabled"] == 1
                config = node.config_get("*")
                assert config["appendonly"] == "yes" and config["appendfsync"] == "always"
                assert config["maxmemory-policy"] == "noeviction"
                assert config["cluster-require-full-coverage"] == "no"
                assert config["masterauth"] == PASSWORD
            with (
                redis.Redis(host=address, port=port) as anonymous,
                pytest.raises(redis.AuthenticationError),
            ):
                anonymous.ping()
        finally:
            stop_redis(process)


def _create_command() -> list[str]:
    """The `redis-cli --cluster create ...` of deploy/README.md, as words."""
    return shlex.split(_guide_line("redis-cli --cluster create"))


def test_the_guides_cluster_create_puts_replicas_on_other_hosts() -> None:
    """Six nodes, two a host on three hosts (three loopback addresses), and
    the README's create: three primaries on three hosts, each with a replica
    on another host, so losing a host loses no shard."""
    command = _create_command()
    assert command[-2:] == ["--cluster-replicas", "1"]
    nodes = [word for word in command if re.fullmatch(r"[\d.]+:\d+", word)]
    assert len(nodes) == 6 and {n.split(":")[0] for n in nodes} == set(REDIS_HOSTS)
    base, second = _ports(2)
    moved = {"7000": base, "7001": second}
    where = [(REDIS_HOSTS[n.split(":")[0]], moved[n.split(":")[1]]) for n in nodes]
    processes = []
    with tempfile.TemporaryDirectory(prefix="dt-rcluster-") as tmp:
        try:
            for address, port in where:
                conf = _node_conf(Path(tmp), address, port)
                processes.append(_start(conf, address, port))
            args = [word for word in command if word not in nodes]
            args[args.index("--cluster") + 1 : args.index("--cluster") + 2] = [
                "create", *(f"{a}:{p}" for a, p in where)
            ]  # fmt: skip
            subprocess.run(
                [*args, "--cluster-yes"],
                check=True, capture_output=True, timeout=SETTLE,
                env={"REDISCLI_AUTH": PASSWORD, "PATH": "/usr/bin:/bin"},
            )  # fmt: skip
            address, port = where[0]
            with redis.Redis(
                host=address, port=port, password=PASSWORD, decode_responses=True
            ) as node:

                def settled() -> dict[str, tuple[str, str]] | None:
                    """Each replica's address and its primary's, once all are in place."""
                    if node.cluster("INFO")["cluster_state"] != "ok":
                        return None
                    table = node.cluster("NODES")  # {"address:port@bus": {...}}
                    host = {n["node_id"]: a.split(":")[0] for a, n in table.items()}
                    pairs = {
                        a: (host[n["node_id"]], host.get(n["master_id"], ""))
                        for a, n in table.items()
                        if "slave" in n["flags"]
                    }
                    return pairs if len(pairs) == 3 else None

                pairs = wait_for(settled, "three replicas in a cluster that is ok", SETTLE)
            assert all(mine != primary for mine, primary in pairs.values()), pairs
            assert {mine for mine, _ in pairs.values()} == set(REDIS_HOSTS.values())
        finally:
            for process in processes:
                stop_redis(process)
