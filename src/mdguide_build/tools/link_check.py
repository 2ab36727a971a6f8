"""Check the resources' web addresses and tell the editor what to fix.

The 40 resources date from 2017 and many have moved.  ``check_links`` asks
each address once (resources sharing an address share the answer):

* concurrently (threads), at most ``per_host`` requests at a time to one host;
* each request within an overall deadline (``timeout``): a watchdog closes
  the connection when it runs out, so a server that drips its answer a byte
  at a time cannot hold the check;
* a timeout, a dropped connection, 429 or a 5xx is retried with exponential
  backoff, honouring ``Retry-After`` (capped at ``max_wait`` seconds);
* redirects are followed hop by hop and reported: a permanent one (301, 308)
  means the resource has "moved permanently to …";
* only public addresses are asked: a host, or a redirect, that resolves into
  loopback, link-local or private ranges is refused unless ``allow_private``
  (a guide's link must not make the editor's machine probe its own network),
  and the connection goes to the very address that was checked;
* what was learned is cached in a JSON file, reused while younger than
  ``max_age`` hours, and saved even when the check is interrupted.

The outcome per address is one of ``ok``, ``moved``, ``dead`` (404, 410) or
``unknown`` (could not tell: timeouts, refusals, server errors, a name that
did not resolve).  A failed name lookup is never "dead": offline, every name
fails.  When no host at all can be reached the check says so and keeps
nothing.  Nothing here fails a build: the CLI exits 0 unless asked to be
strict.  Only the standard library is used (``http.client``), so every hop
and retry is ours to count and report.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from mdguide_build import __version__
from mdguide_build.errors import MdguideError
from mdguide_build.files import atomic_write_text
from mdguide_build.guide.models import URL_PATTERN, Resource
from mdguide_build.validate.loader import dump_json

STATUSES = ("dead", "unknown", "moved", "ok")  # most urgent first, as the table lists them
PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
CACHE_VERSION = 1
DEFAULT_CACHE = Path(".cache") / "link-check.json"
MAX_URL = 500  # as the content model allows


class LinkCheckError(MdguideError):
    """The check could not run (bad options, unreadable cache or report path)."""


@dataclass(frozen=True)
class CheckOptions:
    concurrency: int = 8
    per_host: int = 2
    timeout: float = 10.0  # seconds per request, from connecting to the end of the answer's headers
    retries: int = 2  # after the first attempt
    backoff: float = 0.5  # first wait; doubles each retry
    max_wait: float = 30.0  # cap on any one wait, Retry-After included
    max_redirects: int = 10
    allow_private: bool = False  # ask loopback, link-local and private addresses too
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
    # Whether a server answered: False if no host could be reached (name lookup, no route,
    # no connection), None if not asked (a private address).  Only what was learned is kept.
    reached: bool | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["redirects"] = [{"status": code, "url": url} for code, url in self.redirects]
        return data

    @classmethod
    def from_dict(cls, data: object) -> LinkResult:
        """A result from the cache; ValueError if the entry is not one this version wrote."""
        if not isinstance(data, dict) or set(data) - _FIELDS or not set(data) >= _ENTRY_KEYS:
            raise ValueError("not a link check result")
        data = dict(data)
        hops = data.get("redirects", [])
        if not isinstance(hops, list) or not all(
            isinstance(hop, dict) and _is(hop.get("status"), int) and isinstance(hop.get("url"), str)
            for hop in hops
        ):
            raise ValueError("malformed redirects")
        data["redirects"] = [(hop["status"], hop["url"]) for hop in hops]
        for name, kinds in _TYPES.items():
            if name in data and not _is(data[name], kinds):
                raise ValueError(f"{name} has the wrong type")
        if data["status"] not in STATUSES:
            raise ValueError("unknown status")
        datetime.fromisoformat(data["checked_at"])  # ValueError if it is not a date and time
        return cls(**data)


def _is(value: object, kinds: type | tuple[type, ...]) -> bool:
    """isinstance, except that True and False are not numbers here."""
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))


_FIELDS = {f.name for f in fields(LinkResult)}
_ENTRY_KEYS = {"url", "status", "message", "checked_at"}
_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "status": str,
    "message": str,
    "http_status": (int, type(None)),
    "final_url": str,
    "attempts": int,
    "requests": int,
    "retries": int,
    "waited": (int, float),
    "seconds": (int, float),
    "checked_at": str,
    "from_cache": bool,
    "reached": (bool, type(None)),
}


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
        """The cached result for ``url``, if it is young enough; a damaged entry is a miss."""
        try:
            result = LinkResult.from_dict(self.entries.get(url))
        except ValueError:
            return None
        if result.url != url or now - datetime.fromisoformat(result.checked_at).timestamp() > self.max_age:
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


# --- time and the network, as the check sees them ----------------------------------------


class Clock:
    """Wall-clock time (for dates and Retry-After), a monotonic clock and sleeping.

    Tests pass their own, so backoff and Retry-After are checked without
    waiting and without measuring time.  The per-request deadline is real
    time: it guards a real socket.
    """

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _resolve(host: str, port: int) -> list[str]:
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout)


@dataclass(frozen=True)
class Network:
    """How names are looked up (host, port -> addresses) and connections opened (address, port, timeout).

    Tests route a public address to a server on 127.0.0.1 with their own.
    """

    resolve: Callable[[str, int], list[str]] = _resolve
    connect: Callable[[str, int, float], socket.socket] = _connect


def not_public(address: str) -> str | None:
    """Why ``address`` is not asked without ``allow_private`` ("a loopback address"), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global or ip.is_multicast:
        return "not a public address"
    return None


# --- one address ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    location: str | None
    retry_after: str | None


class _Failure(Exception):
    """A request that got no HTTP answer; ``retry`` says whether trying again may help,
    ``reached`` whether any server answered at all (see ``LinkResult.reached``)."""

    def __init__(self, status: str, message: str, retry: bool, reached: bool | None = True):
        super().__init__(message)
        self.status, self.message, self.retry, self.reached = status, message, retry, reached


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


class _Deadline:
    """Closes a connection's socket when ``seconds`` have passed, whatever it is waiting for.

    A socket timeout bounds each read, not the answer: a server sending one
    byte a second never trips it.  The watchdog does.
    """

    def __init__(self, seconds: float, connection: http.client.HTTPConnection):
        self.connection = connection
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}


def _request(url: str, options: CheckOptions, context: ssl.SSLContext, network: Network) -> _Response:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    try:
        ascii_host = host.encode("idna").decode("ascii")
        port = parts.port or (443 if https else 80)
    except (UnicodeError, ValueError):
        raise _Failure(
            "unknown", f"'{parts.netloc}' is not a valid host name", retry=False, reached=None
        ) from None
    try:
        addresses = network.resolve(ascii_host, port)
    except (socket.gaierror, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or "no such name"
        raise _Failure(
            "unknown", f"could not look up host '{host}' ({reason})", retry=False, reached=False
        ) from None
    if not addresses:
        raise _Failure("unknown", f"could not look up host '{host}'", retry=False, reached=False)
    if not options.allow_private:
        for address in addresses:
            why = not_public(address)
            if why:
                where = address if address == host.strip("[]") else f"{host}, which resolves to {address},"
                raise _Failure(
                    "unknown",
                    f"not asked: {where} is {why} (--allow-private asks such addresses too)",
                    retry=False,
                    reached=None,
                )
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    if https:
        connection = http.client.HTTPSConnection(ascii_host, port, timeout=options.timeout, context=context)
    else:
        connection = http.client.HTTPConnection(ascii_host, port, timeout=options.timeout)

    def pinned(_address: tuple[str, int], timeout: float, _source: object = None) -> socket.socket:
        """Connect to the addresses just checked, not to whatever the name resolves to a moment later."""
        failure: OSError = OSError(errno.EHOSTUNREACH, "no address")
        for address in addresses:
            try:
                return network.connect(address, port, timeout)
            except OSError as error:
                failure = error
        raise failure

    connection._create_connection = pinned  # http.client's hook for opening the socket
    deadline = _Deadline(options.timeout, connection)
    try:
        with deadline:
            try:
                connection.connect()
            except TimeoutError:
                raise _Failure(
                    "unknown", f"could not connect within {options.timeout:g} s", retry=True, reached=False
                ) from None
            except ConnectionRefusedError:
                raise _Failure("unknown", "connection refused", retry=True) from None
            except ssl.SSLCertVerificationError as error:
                raise _Failure(
                    "unknown", f"certificate problem: {error.verify_message}", retry=False
                ) from None
            except OSError as error:
                if deadline.expired:
                    raise
                if error.errno in _UNREACHABLE:
                    reason = error.strerror or "unreachable"
                    raise _Failure(
                        "unknown", f"could not connect: {reason}", retry=False, reached=False
                    ) from None
                raise
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
            return _Response(
                response.status, response.getheader("Location"), response.getheader("Retry-After")
            )
    except _Failure:
        raise
    except (OSError, http.client.HTTPException) as error:
        if deadline.expired or isinstance(error, TimeoutError):
            raise _Failure(
                "unknown", f"no complete answer within {options.timeout:g} s", retry=True
            ) from None
        if isinstance(error, ssl.SSLCertVerificationError):
            raise _Failure("unknown", f"certificate problem: {error.verify_message}", retry=False) from None
        if isinstance(
            error,
            (
                http.client.RemoteDisconnected,
                http.client.IncompleteRead,
                ConnectionResetError,
                BrokenPipeError,
            ),
        ):
            raise _Failure(
                "unknown", "the server closed the connection without an answer", retry=True
            ) from None
        if isinstance(error, http.client.HTTPException):
            raise _Failure("unknown", f"malformed answer ({type(error).__name__})", retry=True) from None
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
    def __init__(
        self,
        options: CheckOptions,
        clock: Clock,
        network: Network,
        trace: Callable[[str, str], None] | None,
    ):
        self.options = options
        self.limits = _HostLimits(options.per_host)
        self.context = ssl.create_default_context()
        self.clock, self.network, self.trace = clock, network, trace

    def check(self, url: str) -> LinkResult:
        started = self.clock.monotonic()
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
            if result.reached is None:
                result.reached = failure.reached
            if result.redirects:
                result.message = f"{_redirect_phrase(result)}, where: {result.message}"
        result.seconds = self.clock.monotonic() - started
        result.checked_at = datetime.fromtimestamp(self.clock.now(), UTC).isoformat(timespec="seconds")
        return result

    def fetch(self, url: str, result: LinkResult) -> _Response:
        """One address, retried as the options allow; raises _Failure if no answer came."""
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise _Failure(
                "unknown", f"'{parts.netloc}' has no valid port", retry=False, reached=None
            ) from None
        host = parts.hostname or ""
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
                with self.limits.hold(host, port):
                    if self.trace:
                        self.trace("start", f"{host}:{port}")
                    try:
                        response = _request(url, self.options, self.context, self.network)
                    finally:
                        if self.trace:
                            self.trace("end", f"{host}:{port}")
            except _Failure as error:
                if not error.retry:
                    raise
                failure = error
            else:
                result.reached = True
                if response.status not in RETRY_STATUSES:
                    return response
                asked = retry_after_seconds(response.retry_after, self.clock.now())
                if asked is not None:
                    wait = asked
                failure = None
                last = response
            if attempt < self.options.retries:
                wait = min(wait, self.options.max_wait)
                result.waited += wait
                self.clock.sleep(wait)
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


class Offline(LinkCheckError):
    """No host could be reached at all: the check learned nothing, and keeps nothing."""


def check_links(
    resources: Sequence[Resource],
    options: CheckOptions | None = None,
    *,
    cache: LinkCache | None = None,
    progress: Callable[[LinkResult], None] = lambda r: None,
    clock: Clock | None = None,
    network: Network | None = None,
    trace: Callable[[str, str], None] | None = None,
) -> LinkReport:
    """Check every resource's address (each distinct address once) and report.

    ``trace(event, "host:port")`` is told when each request starts and ends
    (inside the per-host limit), in order.  Raises ``Offline`` when no host at
    all could be reached; otherwise what was learned is cached as it comes
    in, and saved even if the check is interrupted.
    """
    options = options or CheckOptions()
    clock = clock or Clock()
    started = clock.monotonic()
    urls = list(dict.fromkeys(r.url for r in resources))
    results: dict[str, LinkResult] = {}
    now = clock.now()
    for url in urls:
        cached = cache.get(url, now) if cache else None
        if cached:
            results[url] = cached
            progress(cached)
    todo = [url for url in urls if url not in results]
    checker = _Checker(options, clock, network or Network(), trace)
    learned = 0
    if todo:
        pool = ThreadPoolExecutor(
            max_workers=min(options.concurrency, len(todo)), thread_name_prefix="link-check"
        )
        try:
            for future in as_completed([pool.submit(checker.check, url) for url in todo]):
                result = future.result()
                results[result.url] = result
                if cache and result.reached:  # an answer is worth keeping; "could not reach" is not
                    cache.put(result)
                    learned += 1
                progress(result)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if cache and learned:
                cache.save()
    _refuse_if_offline([results[url] for url in todo])
    rank = {status: i for i, status in enumerate(STATUSES)}
    links = sorted(
        (ResourceLink(r.id, results[r.url]) for r in resources),
        key=lambda link: (rank[link.result.status], link.resource),
    )
    return LinkReport(links, clock.monotonic() - started, options)


def _refuse_if_offline(fresh: list[LinkResult]) -> None:
    """Raise ``Offline`` if two hosts or more were asked and none answered.

    One host that cannot be reached may be gone; when every host fails the
    same way, it is this computer that cannot reach them, and a table of
    "unknown" would only mislead.
    """
    asked = [r for r in fresh if r.reached is not None]
    hosts = {urlsplit(r.final_url or r.url).hostname for r in asked}
    if len(hosts) < 2 or any(r.reached for r in asked):
        return
    raise Offline(
        f"no host could be reached ({len(asked)} addresses on {len(hosts)} hosts; "
        f"the first: {asked[0].message}): is this computer offline? Nothing was cached or recorded "
        "(hint: connect to the internet, then run mdguide check-links again)"
    )


def write_report(report: LinkReport, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise LinkCheckError(f"cannot write the report {path}: {error.strerror}") from error


def update_resources(resources_file: Path, report: LinkReport) -> int:
    """Record what the check learned in resources.json; returns how many resources changed.

    Each resource a server answered for gets its ``status`` and ``checked``
    date; one that has moved permanently gets ``current_url``, where it lives
    now (``url`` keeps the address the guide printed).  A resource no server
    answered for is left as it was.  ``archived_url`` stays the editor's to
    fill in.  The file is rewritten with mdguide's own JSON formatting
    (``dump_json``), so a git diff shows only what changed.
    """
    try:
        data = json.loads(resources_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LinkCheckError(f"cannot read {resources_file}: {error}") from error
    by_id = {link.resource: link.result for link in report.links}
    changed = 0
    for index, entry in enumerate(data.get("resources", [])):
        result = by_id.get(entry.get("id"))
        if result is None or not result.reached:
            continue
        new = {**entry, "status": result.status, "checked": result.checked_at[:10]}
        if result.status == "moved" and _recordable(result.final_url) and result.final_url != entry["url"]:
            new = _after(new, "url", "current_url", result.final_url)
        if new != entry:
            data["resources"][index] = new
            changed += 1
    if changed:
        atomic_write_text(resources_file, dump_json(data))
    return changed


def _recordable(url: str) -> bool:
    """Whether a server's Location may go into the content: a web address the content model accepts."""
    return len(url) <= MAX_URL and re.fullmatch(URL_PATTERN, url) is not None and url.isprintable()


def _after(entry: dict, anchor: str, key: str, value: object) -> dict:
    """``entry`` with ``key`` set, placed right after ``anchor`` when it is new (for a readable diff)."""
    if key in entry:
        return {**entry, key: value}
    out: dict = {}
    for name, item in entry.items():
        out[name] = item
        if name == anchor:
            out[key] = value
    return out
