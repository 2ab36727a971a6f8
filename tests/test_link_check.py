"""`mdguide check-links` against a real HTTP server on 127.0.0.1; no test touches the internet.

The server (``http.server``, threaded) answers 200, 301, 302, 404, 429 with
Retry-After, a slow response, a dropped connection, a redirect loop, an
answer dripped a byte at a time, and redirects into loopback and link-local
addresses.  No test measures time: backoff and Retry-After go through a
``FakeClock`` that records each wait instead of sleeping, and the per-host
limit is read from the recorded order of requests.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import edit_json
from mdguide_build.cli import main
from mdguide_build.guide.models import Resource
from mdguide_build.tools.link_check import (
    CheckOptions,
    LinkCache,
    Network,
    Offline,
    check_links,
    retry_after_seconds,
    table,
)
from mdguide_build.validate.loader import dump_json, load_content

FAST = CheckOptions(timeout=0.5, retries=2, backoff=0.05, max_wait=2.0, allow_private=True)
START = 1_750_000_000.0  # 2025-06-15, the fake clock's "now"
PUBLIC = "93.184.216.34"  # a public address the tests route to the local server
LOCAL_ARGS = ["--allow-private", "--timeout", "0.5", "--retries", "1", "--backoff", "0.05", "--max-wait", "2"]


class FakeClock:
    """Time that moves only when told: sleeping records the wait and moves the clock on."""

    def __init__(self, now: float = START):
        self.wall, self.mono = now, 0.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.user_agents: set[str] = set()
        self.barriers: dict[str, threading.Barrier] = {}

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (a deadline) leaves a broken pipe behind: expected here, not an error."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def barrier(self, host: str) -> threading.Barrier:
        with self.lock:
            return self.barriers.setdefault(host, threading.Barrier(2, timeout=30))


class Handler(BaseHTTPRequestHandler):
    server: LinkServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def send(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        with self.server.lock:
            self.server.hits[self.path] += 1
            hits = self.server.hits[self.path]
            self.server.user_agents.add(self.headers.get("User-Agent", ""))
        self.answer(self.path.split("?")[0], hits)

    def answer(self, path: str, hits: int) -> None:
        port = self.server.port
        if path == "/ok":
            self.send(200, {"Content-Type": "text/html"}, b"<p>ok</p>")
        elif path == "/pair":  # answers only when a second request to the same host is in flight
            try:
                self.server.barrier(self.headers.get("Host", "")).wait()
            except threading.BrokenBarrierError:
                self.send(500)
            else:
                self.send(200)
        elif path == "/old":
            self.send(301, {"Location": "/new"})
        elif path == "/new":
            self.send(200)
        elif path == "/temporary":
            self.send(302, {"Location": "/ok"})
        elif path == "/missing":
            self.send(404)
        elif path == "/moved-then-missing":
            self.send(308, {"Location": "/missing"})
        elif path == "/busy":  # rate-limited the first time only
            self.send(429, {"Retry-After": "1"}) if hits == 1 else self.send(200)
        elif path == "/always-busy":
            self.send(429, {"Retry-After": "3600"})
        elif path == "/error":
            self.send(503)
        elif path == "/slow":
            time.sleep(1.5)
            self.send(200)
        elif path == "/drip":  # a byte at a time, never more than 0.3 s apart: no socket timeout trips
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
            self.close_connection = True
        elif path == "/drop":
            self.close_connection = True  # no answer at all
        elif path == "/loop":
            self.send(302, {"Location": "/loop2"})
        elif path == "/loop2":
            self.send(302, {"Location": "/loop"})
        elif path == "/to-loopback":
            self.send(301, {"Location": f"http://127.0.0.1:{port}/ok"})
        elif path == "/to-metadata":
            self.send(302, {"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path == "/to-intranet":
            self.send(301, {"Location": f"http://intranet.example:{port}/ok"})
        elif path == "/to-public":
            self.send(301, {"Location": f"http://{PUBLIC}:{port}/new"})
        elif path == "/retitle":  # a Location that would set the terminal's title if echoed raw
            self.send(301, {"Location": "/new?\x1b]0;pwned\x07"})
        else:
            self.send(404)


@pytest.fixture
def server():
    running = LinkServer()
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(5)


def routed(server: LinkServer, names: dict[str, str] | None = None):
    """A network where PUBLIC (and ``names``) lead to the local server, as a public host would."""
    table_ = {"site.example": PUBLIC, **(names or {})}
    connected: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        if host in table_:
            return [table_[host]]
        return Network().resolve(host, port)

    def connect(address: str, port: int, timeout: float) -> socket.socket:
        connected.append(address)
        return socket.create_connection(("127.0.0.1" if address == PUBLIC else address, port), timeout)

    return Network(resolve=resolve, connect=connect), connected


def resources(server: LinkServer, paths: dict[str, str], host: str = "127.0.0.1") -> list[Resource]:
    return [Resource(id=ident, url=server.url(path, host)) for ident, path in paths.items()]


def by_id(report) -> dict:
    return {link.resource: link.result for link in report.links}


def test_every_kind_of_answer(server):
    clock = FakeClock()
    report = check_links(
        resources(
            server,
            {
                "fine": "/ok",
                "old": "/old",
                "temporary": "/temporary",
                "missing": "/missing",
                "moved-then-missing": "/moved-then-missing",
                "busy": "/busy",
                "error": "/error",
                "slow": "/slow",
                "drop": "/drop",
                "loop": "/loop",
            },
        ),
        FAST,
        clock=clock,
    )
    r = by_id(report)
    assert (r["fine"].status, r["fine"].http_status, r["fine"].message) == ("ok", 200, "")
    assert (r["old"].status, r["old"].message) == ("moved", f"moved permanently to {server.url('/new')}")
    assert r["old"].redirects == [(301, server.url("/new"))] and r["old"].final_url == server.url("/new")
    assert (r["temporary"].status, r["temporary"].message) == (
        "ok",
        f"redirects (302) to {server.url('/ok')}",
    )
    assert (r["missing"].status, r["missing"].message) == ("dead", "not found (404)")
    assert (r["moved-then-missing"].status, r["moved-then-missing"].message) == (
        "dead",
        f"moved permanently to {server.url('/missing')}, which is not found (404)",
    )
    assert (r["busy"].status, r["busy"].attempts, r["busy"].retries) == ("ok", 2, 1)
    assert r["busy"].waited == 1.0  # Retry-After: 1, honoured
    assert (r["error"].status, r["error"].message) == ("unknown", "server error (503) (3 attempts)")
    assert (r["slow"].status, r["slow"].message) == (
        "unknown",
        "no complete answer within 0.5 s (3 attempts)",
    )
    assert (r["drop"].status, r["drop"].message) == (
        "unknown",
        "the server closed the connection without an answer (3 attempts)",
    )
    assert r["drop"].requests == 3 and server.hits["/drop"] == 3
    assert r["loop"].status == "unknown" and r["loop"].message.endswith(
        f"redirect loop back to {server.url('/loop')}"
    )
    # Backoff doubles: 0.05 then 0.1 s before the second and third attempts.
    assert r["error"].waited == pytest.approx(0.15)
    assert sorted(clock.sleeps) == sorted([1.0, *[0.05, 0.1] * 3])  # busy; error, slow, drop
    assert [link.result.status for link in report.links] == [
        "dead",
        "dead",
        "unknown",
        "unknown",
        "unknown",
        "unknown",
        "moved",
        "ok",
        "ok",
        "ok",
    ]
    assert report.requests == sum(server.hits.values())
    assert report.retries == 1 + 2 + 2 + 2  # busy, error, slow, drop
    assert server.user_agents == {FAST.user_agent}
    assert {r.checked_at for r in report.checked} <= {
        "2025-06-15T15:06:40+00:00",
        "2025-06-15T15:06:41+00:00",  # the fake clock moves on only while busy waits for its Retry-After
    }


def test_retry_after_is_capped(server):
    clock = FakeClock()
    options = CheckOptions(timeout=0.5, retries=1, backoff=0.01, max_wait=0.2, allow_private=True)
    result = by_id(check_links(resources(server, {"busy": "/always-busy"}), options, clock=clock))["busy"]
    assert (result.status, result.http_status, result.message) == (
        "unknown",
        429,
        "still rate-limited (429) (2 attempts)",
    )
    assert clock.sleeps == [0.2] and result.waited == 0.2  # asked for 3600 s


def test_retry_after_forms():
    now = START
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    in_a_minute = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 60))
    assert retry_after_seconds(in_a_minute, now) == 60
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_concurrency_is_limited_per_host_by_the_recorded_order(server):
    # Every /pair request waits for a second one to its host: a serial check would never finish one.
    many = {f"r{i}": f"/pair?{i}" for i in range(16)}
    links = [
        Resource(id=ident, url=server.url(path, host="127.0.0.1" if i % 2 else "localhost"))
        for i, (ident, path) in enumerate(many.items())
    ]
    events: list[tuple[str, str]] = []
    report = check_links(
        links,
        CheckOptions(concurrency=8, per_host=2, timeout=30, retries=0, allow_private=True),
        trace=lambda kind, host: events.append((kind, host)),
    )
    assert report.counts() == {"ok": 16}
    open_now: Counter[str] = Counter()
    most: Counter[str] = Counter()
    for kind, host in events:
        open_now[host] += 1 if kind == "start" else -1
        most[host] = max(most[host], open_now[host])
    assert most == {f"127.0.0.1:{server.port}": 2, f"localhost:{server.port}": 2}
    assert len(events) == 32 and all(n == 0 for n in open_now.values())


def test_shared_addresses_are_asked_once(server):
    links = [Resource(id="a", url=server.url("/ok")), Resource(id="b", url=server.url("/ok"))]
    report = check_links(links, FAST, clock=FakeClock())
    assert server.hits["/ok"] == 1 and [link.result.status for link in report.links] == ["ok", "ok"]
    assert report.summary().startswith("2 resources, 1 addresses: 2 ok. 1 requests, 0 retries, 0 from cache")


def test_the_cache_and_its_maximum_age(server, tmp_path):
    path = tmp_path / "cache" / "links.json"
    clock = FakeClock()
    links = resources(server, {"fine": "/ok", "gone": "/missing"})
    check_links(links, FAST, cache=LinkCache(path, max_age_hours=1), clock=clock)
    assert sorted(json.loads(path.read_text())["results"]) == [server.url("/missing"), server.url("/ok")]
    clock.advance(3599)
    again = check_links(links, FAST, cache=LinkCache(path, max_age_hours=1), clock=clock)
    assert sum(server.hits.values()) == 2  # nothing asked twice
    assert again.from_cache == 2 and again.requests == 0
    assert "(cached)" in table(again)
    clock.advance(2)  # now older than an hour
    stale = check_links(links, FAST, cache=LinkCache(path, max_age_hours=1), clock=clock)
    assert stale.from_cache == 0 and sum(server.hits.values()) == 4
    path.write_text("{not json", encoding="utf-8")  # a damaged cache is only a slower check
    assert check_links(links, FAST, cache=LinkCache(path, max_age_hours=1), clock=clock).from_cache == 0


CORRUPT_ENTRIES = {
    "not an object": ["a", "list"],
    "no status": {"url": "U", "message": "", "checked_at": "2025-06-15T15:00:00+00:00"},
    "an unknown status": {
        "url": "U",
        "status": "fine",
        "message": "",
        "checked_at": "2025-06-15T15:00:00+00:00",
    },
    "a number for a date": {"url": "U", "status": "ok", "message": "", "checked_at": 17},
    "text for a number": {
        "url": "U",
        "status": "ok",
        "message": "",
        "checked_at": "2025-06-15T15:00:00+00:00",
        "requests": "3",
    },
    "a broken redirect": {
        "url": "U",
        "status": "moved",
        "message": "",
        "checked_at": "2025-06-15T15:00:00+00:00",
        "redirects": [{"status": 301}],
    },
    "an unknown field": {
        "url": "U",
        "status": "ok",
        "message": "",
        "checked_at": "2025-06-15T15:00:00+00:00",
        "colour": "red",
    },
    "a message that is not text": {"url": "U", "status": "ok", "message": 7, "checked_at": "2025-06-15"},
}


@pytest.mark.parametrize("damage", list(CORRUPT_ENTRIES))
def test_a_corrupt_cache_entry_is_a_miss_through_the_cli(damage, local_content, server, tmp_path):
    cache = tmp_path / "cache.json"
    ok_url = server.url("/ok")
    entry = json.loads(json.dumps(CORRUPT_ENTRIES[damage]).replace('"U"', json.dumps(ok_url)))
    cache.write_text(json.dumps({"version": 1, "results": {ok_url: entry}}), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check-links", "--content", str(local_content), "--cache", str(cache), *LOCAL_ARGS]
    )
    assert result.exit_code == 0, result.output
    assert result.exception is None and "Traceback" not in result.output
    assert server.hits["/ok"] == 2  # asked again, not taken from the damaged entry (and by /temporary)
    saved = json.loads(cache.read_text(encoding="utf-8"))["results"][ok_url]
    assert (saved["status"], saved["http_status"]) == ("ok", 200)


@pytest.fixture
def local_content(content_copy, server):
    """A content copy whose resources all point at the local server."""
    paths = ["/ok", "/old", "/missing", "/busy", "/slow", "/drop", "/temporary"]

    def local(data: dict) -> None:
        for i, resource in enumerate(data["resources"]):
            resource["url"] = server.url(paths[i] if i < len(paths) else f"/ok?{i}")

    edit_json(content_copy / "resources.json", local)
    return content_copy


def test_cli_table_report_cache_and_exit_status(local_content, server, tmp_path):
    args = [
        "check-links",
        "--content",
        str(local_content),
        "--cache",
        str(tmp_path / "cache.json"),
        *LOCAL_ARGS,
    ]
    result = CliRunner().invoke(main, [*args, "--json-report", str(tmp_path / "report" / "links.json")])
    assert result.exit_code == 0, result.output  # dead links never block a build
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["STATUS", "RESOURCE", "HTTP", "DETAIL"]
    assert lines[1].split()[:3] == ["dead", "ggi-role-of-the-medical-director", "404"]
    assert "moved permanently to " + server.url("/new") in result.stdout
    assert lines[-1].startswith("40 resources, 40 addresses: 1 dead, 2 unknown, 1 moved, 36 ok. ")
    report = json.loads((tmp_path / "report" / "links.json").read_text(encoding="utf-8"))
    assert report["summary"]["dead"] == 1 and report["summary"]["requests"] == sum(server.hits.values())
    assert report["summary"]["retries"] == 3  # busy, slow, drop: one retry each
    assert {r["id"]: r["status"] for r in report["resources"]}["nhsi-supporting-the-medical-director"] == "ok"

    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1
    assert "Error: 1 dead link(s) (--strict)" in strict.output
    assert "40 from cache" in strict.stdout


def test_cli_update_content_records_status_date_and_where_a_moved_resource_lives(local_content, server):
    file = local_content / "resources.json"
    before = file.read_text(encoding="utf-8").splitlines()
    result = CliRunner().invoke(
        main,
        ["check-links", "--content", str(local_content), "--no-cache", "--update-content", *LOCAL_ARGS],
    )
    assert result.exit_code == 0, result.output
    assert "Recorded what was learned of 40 resource(s)" in result.output
    content, _ = load_content(local_content)  # still valid content
    found = {r.id: (r.status, r.checked, r.url, r.current_url) for r in content.resources.resources}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    moved = "fmlm-medical-director-transition-guide"
    assert found["ggi-role-of-the-medical-director"] == ("dead", today, server.url("/missing"), None)
    assert found[moved] == ("moved", today, server.url("/old"), server.url("/new"))
    assert found["nhsi-supporting-the-medical-director"] == ("ok", today, server.url("/ok"), None)
    # The file keeps mdguide's own formatting: the only new lines are the recorded fields.
    after = file.read_text(encoding="utf-8").splitlines()
    unchanged = {line.rstrip(",") for line in before}  # a last field gains a comma when one follows
    added = [line.strip() for line in after if line.rstrip(",") not in unchanged]
    assert sorted({line.split(":")[0] for line in added}) == ['"checked"', '"current_url"', '"status"']
    assert after[after.index(f'      "url": "{server.url("/old")}",') + 1] == (
        f'      "current_url": "{server.url("/new")}",'
    )
    assert len(after) == len(before) + 2 * 40 + 1  # status and checked for each, one current_url


def test_bad_options_are_refused(local_content):
    result = CliRunner().invoke(main, ["check-links", "--content", str(local_content), "--per-host", "0"])
    assert result.exit_code == 1
    assert "--per-host must be positive" in result.output


def test_help_has_examples():
    result = CliRunner().invoke(main, ["check-links", "--help"])
    assert "mdguide check-links --json-report outputs/link-report.json" in result.output


# --- offline, slow servers, private addresses (issue 11, section 7) ------------------------


def _point_at(content: Path, urls: list[str]) -> None:
    file = content / "resources.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    for i, resource in enumerate(data["resources"]):
        resource["url"] = urls[i % len(urls)].replace("{i}", str(i))
    file.write_text(dump_json(data), encoding="utf-8")


def test_offline_says_so_in_one_line_and_keeps_nothing(content_copy, tmp_path):
    # Names under .invalid never resolve (RFC 6761): what every name does on a computer that is offline.
    _point_at(content_copy, ["https://www-{i}.nhs.invalid/guide", "https://fmlm.invalid/{i}"])
    before = (content_copy / "resources.json").read_bytes()
    cache, report = tmp_path / "cache.json", tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "check-links",
            "--content",
            str(content_copy),
            "--cache",
            str(cache),
            "--json-report",
            str(report),
            "--update-content",
        ],
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""  # no table of 40 "unknown"
    assert result.stderr.splitlines() == [
        "Checking 40 resources' addresses …",
        "Error: no host could be reached (40 addresses on 21 hosts; the first: could not look up host "
        f"'{_first_host(result.stderr)}' (Name or service not known)): is this computer offline? Nothing was "
        "cached or recorded (hint: connect to the internet, then run mdguide check-links again)",
    ]
    assert "dead" not in result.output
    assert not cache.exists() and not report.exists()
    assert (content_copy / "resources.json").read_bytes() == before


def _first_host(stderr: str) -> str:
    return stderr.split("could not look up host '", 1)[1].split("'", 1)[0]


def test_a_host_that_does_not_resolve_is_unknown_never_dead_and_not_kept(local_content, server, tmp_path):
    file = local_content / "resources.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    data["resources"][2]["url"] = "https://gone.invalid/page"  # was /missing: the only dead one
    file.write_text(dump_json(data), encoding="utf-8")
    cache = tmp_path / "cache.json"
    result = CliRunner().invoke(
        main,
        [
            "check-links",
            "--content",
            str(local_content),
            "--cache",
            str(cache),
            "--update-content",
            *LOCAL_ARGS,
        ],
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "gone.invalid" in line or " - " in line)
    assert row.split()[0] == "unknown"
    assert "could not look up host 'gone.invalid' (Name or service not known)" in result.stdout
    assert "dead" not in result.stdout.split("\n", 1)[1].split()  # no row is dead
    assert "https://gone.invalid/page" not in json.loads(cache.read_text(encoding="utf-8"))["results"]
    recorded = json.loads(file.read_text(encoding="utf-8"))["resources"][2]
    assert "status" not in recorded and "checked" not in recorded


def test_a_dripping_server_cannot_hold_the_check_and_the_rest_is_kept(local_content, server, tmp_path):
    file = local_content / "resources.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    data["resources"][0]["url"] = server.url("/drip")
    file.write_text(dump_json(data), encoding="utf-8")
    cache = tmp_path / "cache.json"
    args = ["check-links", "--content", str(local_content), "--cache", str(cache), "--allow-private"]
    result = CliRunner().invoke(main, [*args, "--timeout", "0.5", "--retries", "0"])
    assert result.exit_code == 0, result.output
    first = data["resources"][0]["id"]
    drip = next(line for line in result.stdout.splitlines() if f" {first} " in line)
    assert drip.split()[0] == "unknown" and drip.endswith("no complete answer within 0.5 s")
    assert result.stdout.splitlines()[-1].startswith(
        "40 resources, 40 addresses: 1 dead, 4 unknown, 1 moved, 34 ok"
    )
    kept = json.loads(cache.read_text(encoding="utf-8"))["results"]
    assert len(kept) == 40 and kept[server.url("/missing")]["status"] == "dead"


def test_without_allow_private_loopback_is_not_asked(local_content, server):
    result = CliRunner().invoke(main, ["check-links", "--content", str(local_content), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert sum(server.hits.values()) == 0
    assert (
        result.stdout.count(
            "not asked: 127.0.0.1 is a loopback address (--allow-private asks such addresses too)"
        )
        == 40
    )


def test_redirects_into_private_addresses_are_refused(server):
    network, connected = routed(server, {"intranet.example": "10.1.2.3"})
    paths = {
        "loopback": "/to-loopback",
        "metadata": "/to-metadata",
        "intranet": "/to-intranet",
        "fine": "/to-public",
    }
    links = resources(server, paths, host="site.example")
    options = CheckOptions(timeout=2, retries=0)
    r = by_id(check_links(links, options, network=network, clock=FakeClock()))
    port = server.port
    assert (r["loopback"].status, r["loopback"].message) == (
        "unknown",
        f"moved permanently to http://127.0.0.1:{port}/ok, where: not asked: 127.0.0.1 is a loopback "
        "address (--allow-private asks such addresses too)",
    )
    assert r["metadata"].message == (
        "redirects (302) to http://169.254.169.254/latest/meta-data/, where: not asked: 169.254.169.254 "
        "is a link-local address (--allow-private asks such addresses too)"
    )
    assert r["intranet"].message == (
        f"moved permanently to http://intranet.example:{port}/ok, where: not asked: intranet.example, "
        "which resolves to 10.1.2.3, is a private address (--allow-private asks such addresses too)"
    )
    assert (r["fine"].status, r["fine"].message) == (
        "moved",
        f"moved permanently to http://{PUBLIC}:{port}/new",
    )
    assert server.hits["/ok"] == 0  # the loopback target was never asked
    assert set(connected) == {PUBLIC}  # every connection went to the public address that was checked


def test_allow_private_follows_them(server):
    network, _ = routed(server)
    links = resources(server, {"loopback": "/to-loopback"}, host="site.example")
    result = by_id(check_links(links, CheckOptions(allow_private=True), network=network, clock=FakeClock()))
    assert (result["loopback"].status, server.hits["/ok"]) == ("moved", 1)


def test_a_servers_location_never_reaches_the_terminal_raw(local_content, server):
    _point_at(local_content, [server.url("/retitle"), server.url("/ok?{i}")])
    result = CliRunner().invoke(
        main, ["check-links", "--content", str(local_content), "--no-cache", *LOCAL_ARGS]
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert f"moved permanently to {server.url('/new')}?\\u001b]0;pwned\\u0007" in result.stdout


def test_an_interrupted_check_keeps_what_it_learned(server, tmp_path):
    path = tmp_path / "cache.json"
    links = resources(server, {"fine": "/ok", "old": "/old"})

    def interrupt(result) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_links(
            links,
            CheckOptions(concurrency=1, allow_private=True),
            cache=LinkCache(path, 1),
            progress=interrupt,
            clock=FakeClock(),
        )
    assert len(json.loads(path.read_text(encoding="utf-8"))["results"]) == 1


def test_offline_is_raised_by_the_library_too():
    links = [Resource(id="a", url="https://a.invalid/"), Resource(id="b", url="https://b.invalid/")]
    with pytest.raises(Offline, match=r"^no host could be reached \(2 addresses on 2 hosts"):
        check_links(links, CheckOptions(retries=0), clock=FakeClock())
