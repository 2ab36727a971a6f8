"""`mdguide check-links` against a real HTTP server on 127.0.0.1; no test touches the internet.

The server (``http.server``, threaded) answers 200, 301, 302, 404, 429 with
Retry-After, a slow response (for timeouts), a dropped connection and a
redirect loop, and counts what it was asked and how many requests were in
flight at once, per host.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from conftest import edit_json
from mdguide_build.cli import main
from mdguide_build.guide.models import Resource
from mdguide_build.tools.link_check import CheckOptions, LinkCache, check_links, retry_after_seconds, table
from mdguide_build.validate.loader import load_content

FAST = CheckOptions(timeout=0.5, retries=2, backoff=0.05, max_wait=2.0)


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.max_total = 0
        self.user_agents: set[str] = set()

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (a timeout) leaves a broken pipe behind: expected here, not an error."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"


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
        server = self.server
        host = self.headers.get("Host", "").split(":")[0]
        path = self.path.split("?")[0]
        with server.lock:
            server.hits[self.path] += 1
            hits = server.hits[self.path]
            server.in_flight[host] += 1
            server.max_in_flight[host] = max(server.max_in_flight[host], server.in_flight[host])
            server.max_total = max(server.max_total, sum(server.in_flight.values()))
            server.user_agents.add(self.headers.get("User-Agent", ""))
        try:
            self.answer(path, hits)
        finally:
            with server.lock:
                server.in_flight[host] -= 1

    def answer(self, path: str, hits: int) -> None:
        if path == "/ok":
            self.send(200, {"Content-Type": "text/html"}, b"<p>ok</p>")
        elif path == "/pause":
            time.sleep(0.05)
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
        elif path == "/drop":
            self.close_connection = True  # no answer at all
        elif path == "/loop":
            self.send(302, {"Location": "/loop2"})
        elif path == "/loop2":
            self.send(302, {"Location": "/loop"})
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


def resources(server: LinkServer, paths: dict[str, str]) -> list[Resource]:
    return [Resource(id=ident, url=server.url(path)) for ident, path in paths.items()]


def by_id(report) -> dict:
    return {link.resource: link.result for link in report.links}


def test_every_kind_of_answer(server):
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
    assert 1.0 <= r["busy"].waited < 1.1  # Retry-After: 1, honoured
    assert (r["error"].status, r["error"].message) == ("unknown", "server error (503) (3 attempts)")
    assert (r["slow"].status, r["slow"].message) == ("unknown", "no answer within 0.5 s (3 attempts)")
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


def test_retry_after_is_capped(server):
    options = CheckOptions(timeout=0.5, retries=1, backoff=0.01, max_wait=0.2)
    started = time.perf_counter()
    result = by_id(check_links(resources(server, {"busy": "/always-busy"}), options))["busy"]
    assert (result.status, result.http_status, result.message) == (
        "unknown",
        429,
        "still rate-limited (429) (2 attempts)",
    )
    assert result.waited == pytest.approx(0.2)  # asked for 3600 s
    assert time.perf_counter() - started < 1.5


def test_retry_after_forms():
    now = time.time()
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    in_a_minute = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 60))
    assert 58 <= retry_after_seconds(in_a_minute, now) <= 60
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_concurrency_is_limited_per_host(server):
    many = {f"r{i}": f"/pause?{i}" for i in range(16)}
    links = [
        Resource(id=ident, url=server.url(path, host="127.0.0.1" if i % 2 else "localhost"))
        for i, (ident, path) in enumerate(many.items())
    ]
    started = time.perf_counter()
    report = check_links(links, CheckOptions(concurrency=8, per_host=2, timeout=2))
    elapsed = time.perf_counter() - started
    assert report.counts() == {"ok": 16}
    assert server.max_in_flight["127.0.0.1"] == 2 and server.max_in_flight["localhost"] == 2
    assert server.max_total == 4  # two hosts, two each
    assert elapsed < 16 * 0.05  # faster than one at a time


def test_shared_addresses_are_asked_once(server):
    links = [Resource(id="a", url=server.url("/ok")), Resource(id="b", url=server.url("/ok"))]
    report = check_links(links, FAST)
    assert server.hits["/ok"] == 1 and [link.result.status for link in report.links] == ["ok", "ok"]
    assert report.summary().startswith("2 resources, 1 addresses: 2 ok. 1 requests, 0 retries, 0 from cache")


def test_the_cache_and_its_maximum_age(server, tmp_path):
    path = tmp_path / "cache" / "links.json"
    links = resources(server, {"fine": "/ok", "gone": "/missing"})
    check_links(links, FAST, cache=LinkCache(path, max_age_hours=1))
    assert sorted(json.loads(path.read_text())["results"]) == [server.url("/missing"), server.url("/ok")]
    again = check_links(links, FAST, cache=LinkCache(path, max_age_hours=1))
    assert sum(server.hits.values()) == 2  # nothing asked twice
    assert again.from_cache == 2 and again.requests == 0
    assert "(cached)" in table(again)
    stale = check_links(links, FAST, cache=LinkCache(path, max_age_hours=0))
    assert stale.from_cache == 0 and sum(server.hits.values()) == 4
    path.write_text("{not json", encoding="utf-8")  # a damaged cache is only a slower check
    assert check_links(links, FAST, cache=LinkCache(path, max_age_hours=1)).from_cache == 0


@pytest.fixture
def local_content(content_copy, server):
    """A content copy whose resources all point at the local server."""
    paths = ["/ok", "/old", "/missing", "/busy", "/slow", "/drop", "/temporary"]

    def local(data: dict) -> None:
        for i, resource in enumerate(data["resources"]):
            resource["url"] = server.url(paths[i] if i < len(paths) else f"/pause?{i}")

    edit_json(content_copy / "resources.json", local)
    return content_copy


def test_cli_table_report_cache_and_exit_status(local_content, server, tmp_path):
    args = [
        "check-links",
        "--content",
        str(local_content),
        "--timeout",
        "0.5",
        "--retries",
        "1",
        "--backoff",
        "0.05",
        "--max-wait",
        "2",
        "--cache",
        str(tmp_path / "cache.json"),
    ]
    started = time.perf_counter()
    result = CliRunner().invoke(main, [*args, "--json-report", str(tmp_path / "report" / "links.json")])
    elapsed = time.perf_counter() - started
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
    print(f"\nlink check: {report['summary']}, wall {elapsed:.2f} s")

    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert strict.exit_code == 1
    assert "Error: 1 dead link(s) (--strict)" in strict.output
    assert "40 from cache" in strict.stdout


def test_cli_update_content_records_status_and_date(local_content, server, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "check-links",
            "--content",
            str(local_content),
            "--no-cache",
            "--timeout",
            "0.5",
            "--retries",
            "0",
            "--update-content",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Recorded the status of 40 resource(s)" in result.output
    content, _ = load_content(local_content)  # still valid content
    status = {r.id: (r.status, r.checked) for r in content.resources.resources}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert status["ggi-role-of-the-medical-director"] == ("dead", today)
    assert status["fmlm-medical-director-transition-guide"] == ("moved", today)
    assert status["nhsi-supporting-the-medical-director"] == ("ok", today)


def test_bad_options_are_refused(local_content):
    result = CliRunner().invoke(main, ["check-links", "--content", str(local_content), "--per-host", "0"])
    assert result.exit_code == 1
    assert "--per-host must be positive" in result.output


def test_help_has_examples():
    result = CliRunner().invoke(main, ["check-links", "--help"])
    assert "mdguide check-links --json-report outputs/link-report.json" in result.output
