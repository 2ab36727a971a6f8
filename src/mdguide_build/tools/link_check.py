"""Check the resources' web addresses and tell the editor what to fix.

The 40 resources date from 2017 and many have moved.  ``check_links`` asks
each address once (resources sharing an address share the answer):

* concurrently (threads), at most ``per_host`` requests at a time to one host;
* each request with a timeout; a timeout, a dropped connection, 429 or a 5xx
  is retried with exponential backoff, honouring ``Retry-After`` (capped at
  ``max_wait`` seconds, so one server cannot stall the check);
* redirects are followed hop by hop and reported: a permanent one (301, 308)
  means the resource has "moved permanently to …";
* results are cached in a JSON file and reused while younger than
  ``max_age`` hours.

The outcome per address is one of ``ok``, ``moved``, ``dead`` (404, 410, a
host that does not exist) or ``unknown`` (could not tell: timeouts, refusals,
server errors).  Nothing here fails a build: the CLI exits 0 unless asked to
be strict.  Only the standard library is used (``http.client``), so every
hop and retry is ours to count and report.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import json
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from mdguide_build import __version__
from mdguide_build.errors import MdguideError
from mdguide_build.files import atomic_write_text
from mdguide_build.guide.models import Resource
from mdguide_build.validate.loader import dump_json

STATUSES = ("dead", "unknown", "moved", "ok")  # most urgent first, as the table lists them
PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
CACHE_VERSION = 1
DEFAULT_CACHE = Path(".cache") / "link-check.json"


class LinkCheckError(MdguideError):
    """The check could not run (bad options, unreadable cache or report path)."""


@dataclass(frozen=True)
class CheckOptions:
    concurrency: int = 8
    per_host: int = 2
    timeout: float = 10.0  # seconds per request (connect, and each read)
    retries: int = 2  # after the first attempt
    backoff: float = 0.5  # first wait; doubles each retry
    max_wait: float = 30.0  # cap on any one wait, Retry-After included
    max_redirects: int = 10
    user_agent: str = f"mdguide-link-check/{__version__} (checks the addresses cited by a published guide)"

    def __post_init__(self) -> None:
        problems = [
            name
            for name, value in (
                ("concurrency", self.concurrency),
                ("per-host", self.per_host),
                ("timeout", self.timeout),
                ("max-redirects", self.max_redirects),
            )
            if value <= 0
        ]
        problems += [
            name
            for name, value in (
                ("retries", self.retries),
                ("backoff", self.backoff),
                ("max-wait", self.max_wait),
            )
            if value < 0
        ]
        if problems:
            raise LinkCheckError(
                f"--{problems[0]} must be positive (hint: e.g. --concurrency 8 --per-host 2 "
                "--timeout 10 --retries 2)"
            )


@dataclass
class LinkResult:
    """What one address turned out to be."""

    url: str
    status: str  # ok | moved | dead | unknown
    message: str  # for the editor, e.g. "moved permanently to https://…"
    http_status: int | None = None  # of the last response, if any
    final_url: str = ""
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (code, where it pointed), hop by hop
    attempts: int = 0  # requests to the last address asked, retries included
    requests: int = 0  # every request made, redirects and retries included
    retries: int = 0
    waited: float = 0.0  # seconds spent backing off
    seconds: float = 0.0
    checked_at: str = ""  # ISO 8601, UTC
    from_cache: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data["redirects"] = [{"status": code, "url": url} for code, url in self.redirects]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> LinkResult:
        data = dict(data)
        data["redirects"] = [(hop["status"], hop["url"]) for hop in data.get("redirects", [])]
        return cls(**data)


@dataclass(frozen=True)
class ResourceLink:
    resource: str
    result: LinkResult


@dataclass(frozen=True)
class LinkReport:
    links: list[ResourceLink]  # one per resource, most urgent first
    seconds: float
    options: CheckOptions

    @property
    def checked(self) -> list[LinkResult]:
        """One result per distinct address."""
        return list({link.result.url: link.result for link in self.links}.values())

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.checked if not r.from_cache)

    @property
    def retries(self) -> int:
        return sum(r.retries for r in self.checked if not r.from_cache)

    @property
    def from_cache(self) -> int:
        return sum(r.from_cache for r in self.checked)

    def counts(self) -> dict[str, int]:
        counted = Counter(link.result.status for link in self.links)
        return {status: counted[status] for status in STATUSES if counted[status]}

    def dead(self) -> list[ResourceLink]:
        return [link for link in self.links if link.result.status == "dead"]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items()) or "nothing to check"
        return (
            f"{len(self.links)} resources, {len(self.checked)} addresses: {counts}. "
            f"{self.requests} requests, {self.retries} retries, {self.from_cache} from cache, "
            f"{self.seconds:.2f} s."
        )

    def to_dict(self) -> dict:
        return {
            "summary": {
                "resources": len(self.links),
                "addresses": len(self.checked),
                **self.counts(),
                "requests": self.requests,
                "retries": self.retries,
                "from_cache": self.from_cache,
                "seconds": round(self.seconds, 3),
            },
            "options": asdict(self.options),
            "resources": [{"id": link.resource, **link.result.to_dict()} for link in self.links],
        }


def table(report: LinkReport) -> str:
    """The summary table: status, resource, HTTP code, what to do; then the totals."""
    rows = [("STATUS", "RESOURCE", "HTTP", "DETAIL")]
    for link in report.links:
        r = link.result
        detail = r.message + (" (cached)" if r.from_cache else "")
        rows.append((r.status, link.resource, str(r.http_status or "-"), detail))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join([*lines, report.summary()]) + "\n"


# --- the cache --------------------------------------------------------------------------


class LinkCache:
    """Results by address in a JSON file; an entry older than ``max_age_hours`` is stale."""

    def __init__(self, path: Path, max_age_hours: float):
        self.path = path
        self.max_age = max_age_hours * 3600
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION and isinstance(data.get("results"), dict):
                self.entries = data["results"]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError):
            pass  # a damaged cache is only a slower check

    def get(self, url: str, now: float) -> LinkResult | None:
        entry = self.entries.get(url)
        if not entry:
            return None
        try:
            checked = datetime.fromisoformat(entry["checked_at"]).timestamp()
            result = LinkResult.from_dict(entry)
        except (KeyError, TypeError, ValueError):
            return None
        if now - checked > self.max_age:
            return None
        result.from_cache = True
        return result

    def put(self, result: LinkResult) -> None:
        entry = result.to_dict()
        entry.pop("from_cache")
        self.entries[result.url] = entry

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            text = (
                json.dumps(
                    {"version": CACHE_VERSION, "results": dict(sorted(self.entries.items()))},
                    indent=2,
                    ensure_ascii=False,
                )
                + "\n"
            )
            atomic_write_text(self.path, text)
        except OSError as error:
            raise LinkCheckError(
                f"cannot write the link cache {self.path}: {error.strerror} "
                "(hint: pass --cache FILE somewhere writable, or --no-cache)"
            ) from error


# --- one address ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    location: str | None
    retry_after: str | None


class _Failure(Exception):
    """A request that got no HTTP answer; ``retry`` says whether trying again may help."""

    def __init__(self, status: str, message: str, retry: bool):
        super().__init__(message)
        self.status, self.message, self.retry = status, message, retry


class _HostLimits:
    """One semaphore per host: at most ``per_host`` requests at a time to each."""

    def __init__(self, per_host: int):
        self.per_host = per_host
        self.lock = threading.Lock()
        self.semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}

    @contextmanager
    def hold(self, host: str, port: int) -> Iterator[None]:
        with self.lock:
            semaphore = self.semaphores.setdefault((host, port), threading.BoundedSemaphore(self.per_host))
        with semaphore:
            yield


def _request(url: str, options: CheckOptions, context: ssl.SSLContext) -> _Response:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _Failure("dead", f"'{host}' is not a valid host name", retry=False) from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            ascii_host, parts.port, timeout=options.timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(ascii_host, parts.port, timeout=options.timeout)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": options.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        return _Response(response.status, response.getheader("Location"), response.getheader("Retry-After"))
    except TimeoutError:
        raise _Failure("unknown", f"no answer within {options.timeout:g} s", retry=True) from None
    except ssl.SSLCertVerificationError as error:
        raise _Failure("unknown", f"certificate problem: {error.verify_message}", retry=False) from None
    except socket.gaierror as error:
        if error.errno == socket.EAI_NONAME:
            raise _Failure("dead", f"host '{host}' does not exist", retry=False) from None
        raise _Failure("unknown", f"could not look up host '{host}': {error.strerror}", retry=True) from None
    except ConnectionRefusedError:
        raise _Failure("unknown", "connection refused", retry=True) from None
    except (
        http.client.RemoteDisconnected,
        http.client.IncompleteRead,
        ConnectionResetError,
        BrokenPipeError,
    ):
        raise _Failure("unknown", "the server closed the connection without an answer", retry=True) from None
    except http.client.HTTPException as error:
        raise _Failure("unknown", f"malformed answer ({type(error).__name__})", retry=True) from None
    except OSError as error:
        reason = error.strerror or errno.errorcode.get(error.errno or 0, "") or type(error).__name__
        raise _Failure("unknown", f"network error: {reason}", retry=True) from None
    finally:
        connection.close()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class _Checker:
    def __init__(self, options: CheckOptions, sleep: Callable[[float], None]):
        self.options = options
        self.limits = _HostLimits(options.per_host)
        self.context = ssl.create_default_context()
        self.sleep = sleep

    def check(self, url: str) -> LinkResult:
        started = time.perf_counter()
        result = LinkResult(url, "unknown", "")
        current, seen = url, {url}
        try:
            while True:
                response = self.fetch(current, result)
                if response.status in REDIRECTS and response.location:
                    target = urljoin(current, response.location)
                    result.redirects.append((response.status, target))
                    if urlsplit(target).scheme not in ("http", "https"):
                        raise _Failure("unknown", f"redirects to a non-web address: {target}", retry=False)
                    if target in seen:
                        raise _Failure("unknown", f"redirect loop back to {target}", retry=False)
                    if len(result.redirects) > self.options.max_redirects:
                        raise _Failure(
                            "unknown", f"more than {self.options.max_redirects} redirects", retry=False
                        )
                    seen.add(target)
                    current = target
                    continue
                result.http_status = response.status
                result.final_url = current
                result.status, result.message = _verdict(response.status, result)
                break
        except _Failure as failure:
            result.final_url = current
            result.status = failure.status
            result.message = failure.message + _tries(result)
            if result.redirects:
                result.message = f"{_redirect_phrase(result)}, where: {result.message}"
        result.seconds = time.perf_counter() - started
        result.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        return result

    def fetch(self, url: str, result: LinkResult) -> _Response:
        """One address, retried as the options allow; raises _Failure if no answer came."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        failure: _Failure | None = None
        last: _Response | None = None
        result.attempts = 0  # counts this address's attempts
        for attempt in range(self.options.retries + 1):
            if attempt:
                result.retries += 1
            result.attempts += 1
            result.requests += 1
            wait = self.options.backoff * 2**attempt
            try:
                with self.limits.hold(parts.hostname or "", port):
                    response = _request(url, self.options, self.context)
            except _Failure as error:
                if not error.retry:
                    raise
                failure = error
            else:
                if response.status not in RETRY_STATUSES:
                    return response
                asked = retry_after_seconds(response.retry_after, time.time())
                if asked is not None:
                    wait = asked
                failure = None
                last = response
            if attempt < self.options.retries:
                wait = min(wait, self.options.max_wait)
                result.waited += wait
                self.sleep(wait)
        if failure is not None or last is None:
            raise failure
        return last


def _tries(result: LinkResult) -> str:
    return f" ({result.attempts} attempts)" if result.attempts > 1 else ""


def _redirect_phrase(result: LinkResult) -> str:
    final = result.redirects[-1][1]
    if any(code in PERMANENT for code, _ in result.redirects):
        return f"moved permanently to {final}"
    return f"redirects ({result.redirects[-1][0]}) to {final}"


def _verdict(status: int, result: LinkResult) -> tuple[str, str]:
    moved = any(code in PERMANENT for code, _ in result.redirects)
    if 200 <= status < 300:
        if moved:
            return "moved", _redirect_phrase(result)
        return "ok", _redirect_phrase(result) if result.redirects else ""
    if status in (404, 410):
        what = "not found (404)" if status == 404 else "gone (410)"
        if result.redirects:
            return "dead", f"{_redirect_phrase(result)}, which is {what}"
        return "dead", what
    if status == 429:
        message = f"still rate-limited (429){_tries(result)}"
    elif status >= 500:
        message = f"server error ({status}){_tries(result)}"
    elif status in (401, 403):
        message = f"access refused ({status}); check it in a browser"
    else:
        message = f"unexpected answer ({status})"
    if result.redirects:
        message = f"{_redirect_phrase(result)}, where: {message}"
    return "unknown", message


# --- the whole check --------------------------------------------------------------------


def check_links(
    resources: Sequence[Resource],
    options: CheckOptions | None = None,
    *,
    cache: LinkCache | None = None,
    progress: Callable[[LinkResult], None] = lambda r: None,
    sleep: Callable[[float], None] = time.sleep,
) -> LinkReport:
    """Check every resource's address (each distinct address once) and report."""
    options = options or CheckOptions()
    started = time.perf_counter()
    urls = list(dict.fromkeys(r.url for r in resources))
    results: dict[str, LinkResult] = {}
    now = time.time()
    for url in urls:
        cached = cache.get(url, now) if cache else None
        if cached:
            results[url] = cached
            progress(cached)
    todo = [url for url in urls if url not in results]
    checker = _Checker(options, sleep)
    if todo:
        with ThreadPoolExecutor(
            max_workers=min(options.concurrency, len(todo)), thread_name_prefix="link-check"
        ) as pool:
            for result in pool.map(checker.check, todo):
                results[result.url] = result
                progress(result)
                if cache:
                    cache.put(result)
    if cache and todo:
        cache.save()
    rank = {status: i for i, status in enumerate(STATUSES)}
    links = sorted(
        (ResourceLink(r.id, results[r.url]) for r in resources),
        key=lambda link: (rank[link.result.status], link.resource),
    )
    return LinkReport(links, time.perf_counter() - started, options)


def write_report(report: LinkReport, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise LinkCheckError(f"cannot write the report {path}: {error.strerror}") from error


def update_resources(resources_file: Path, report: LinkReport) -> int:
    """Record each resource's status and check date in resources.json; returns how many changed.

    Only ``status`` and ``checked`` are written; ``archived_url`` stays the
    editor's to fill in.  The file is rewritten in mdguide's canonical form.
    """
    try:
        data = json.loads(resources_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LinkCheckError(f"cannot read {resources_file}: {error}") from error
    by_id = {link.resource: link.result for link in report.links}
    changed = 0
    for entry in data.get("resources", []):
        result = by_id.get(entry.get("id"))
        if result is None:
            continue
        checked = result.checked_at[:10]
        if entry.get("status") != result.status or entry.get("checked") != checked:
            entry["status"], entry["checked"] = result.status, checked
            changed += 1
    if changed:
        atomic_write_text(resources_file, dump_json(data))
    return changed
