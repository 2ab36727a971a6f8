"""Live preview for editors: the HTML on localhost, rebuilt on save, reloaded in the browser; and the editor.

* The page is made by the HTML builder's own ``guide_page`` from the content
  as it is on disk, each time: no manifest.  What is kept is what the loader
  made of each file's bytes (a ``FileMemo``: every file is read again, only one
  whose bytes changed is parsed and checked again) and the HTML pandoc made of
  each part of the page's AST (``preview_page``: only the parts whose AST changed
  are converted again, and the page is byte for byte the build's), so the
  page is never older than the files.  A rebuild happens
  whenever a ``.json`` file under the content folder is saved (``watchfiles``,
  in a thread) and its bytes differ from those the page was made from (SHA-256),
  and the page is made again if a file changed while it was being made.
* When the content has errors, the page lists every problem with its file,
  line and column; fixing the content brings the guide back.  The error page
  is built with lxml from escaped, XML-safe text, so no content can stop it
  being shown: the page always shows the current content or the current error.
* The browser reloads by itself: when *serving* a page, and only then, the
  server adds one small script that listens for rebuilds (Server-Sent Events).
  The served page carries a Content-Security-Policy that allows that script
  (by nonce) and nothing else.
* With ``edit=True`` the page also loads the editor (``tools/editor``): edit
  buttons on each part of the guide, and forms whose saves go through the
  editor's JSON API.  Editing binds to 127.0.0.1 only.
* Every request must name the server by a loopback name or an IP address in
  its Host header (a web page that rebinds its own domain name to 127.0.0.1
  is refused); connections time out and are bounded in number; a browser that
  goes away mid-answer is not an error; the temporary folder is removed when
  the preview stops, and folders left by a preview that was killed are removed
  by the next one.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml.html import builder as E
from lxml.html import tostring

from mdguide_build.errors import MdguideError
from mdguide_build.validate.diagnostics import Diagnostic

EVENTS_PATH = "/__mdguide/events"
STATUS_PATH = "/__mdguide/status"
EDITOR_JS_PATH = "/__mdguide/editor.js"
EDITOR_CSS_PATH = "/__mdguide/editor.css"
EDITOR_STATIC = Path(__file__).resolve().parent / "editor" / "static"
KEEP_ALIVE = 15.0  # seconds between keep-alive comments on the event stream
DEBOUNCE_MS = 100
WATCH_STEP_MS = 5  # a save shows once no change came for this long (watchfiles' step): 5-10 ms after it
WATCH_START_TIMEOUT = 10.0
REQUEST_TIMEOUT = 30.0  # seconds a connection may sit idle mid-request
MAX_CONNECTIONS = 64  # at once (each open page holds one for its event stream)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WORK_PREFIX = "mdguide-preview-"
SINCE = re.compile(r"[0-9]{1,18}")

# Added to the served page only.  It reloads the page when the build it shows is superseded.
RELOAD_SCRIPT = """
(function () {
  var shown = "%d";
  var events = new EventSource("%s?since=" + shown);
  events.onmessage = function (event) {
    if (event.data !== shown) { events.close(); window.location.reload(); }
  };
})();
"""

ERROR_CSS = """
body { font: 1.1rem/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { color: #8b0000; font-size: 1.6rem; }
ol { padding-left: 1.5rem; }
li { margin: 0 0 1rem; padding: 0.75rem 1rem; border-left: 6px solid #8b0000; background: #fdf0f0; }
.place { font-family: ui-monospace, monospace; font-weight: bold; }
.code { font-family: ui-monospace, monospace; background: #fff; padding: 0 0.25rem; }
.hint { display: block; color: #333; }
"""

# Not allowed in XML (so lxml refuses them) or unsafe in a terminal: shown as \\uXXXX instead.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def shown(text: object) -> str:
    """``text`` with every control or non-XML character written as \\uXXXX: safe in a page and a terminal."""
    return _UNSHOWABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", str(text))


class PreviewError(MdguideError):
    """The preview could not start."""


class Preview:
    """A running preview; use as a context manager, or ``start()`` and ``stop()``."""

    def __init__(
        self,
        content_dir: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        content_display: str | None = None,
        log: Callable[[str], None] = lambda message: None,
        edit: bool = False,
    ):
        self.content_dir = content_dir
        self.content_display = content_display or content_dir.as_posix()
        self.host, self.port = host, port
        self.log = lambda message: log(shown(message))
        self.edit = edit
        self.generation = 0
        self.ok = False
        self.errors = 0
        self.page = b""
        self.digests: dict[str, str] | None = None  # the content files the page was made from
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.watching = threading.Event()
        self.build_lock = threading.Lock()
        self.memo = None  # the loader's FileMemo: files unchanged since the last page are not parsed again
        self.pages = None  # an IncrementalPage: parts of the page unchanged since the last are not converted
        self.work_dir: Path | None = None
        self.server: ThreadingHTTPServer | None = None
        self.serving = False
        self.threads: list[threading.Thread] = []
        self.api = None  # the editor's API, with edit=True

    # -- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Preview:
        if not self.content_dir.is_dir():
            raise PreviewError(
                f"{shown(self.content_display)} is not a folder (hint: run mdguide from the project "
                "folder, or pass --content DIR)"
            )
        if self.edit and self.host not in LOOPBACK_HOSTS:
            raise PreviewError(
                f"the editor listens only on 127.0.0.1, not {shown(self.host)}: it can change the content "
                "(hint: leave out --host)"
            )
        remove_abandoned_work_dirs()
        self.work_dir = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))
        try:
            self.server = _Server((self.host, self.port), _Handler, self)
        except OSError as error:
            self.stop()
            raise PreviewError(
                f"cannot listen on {shown(self.host)}:{self.port}: {error.strerror} "
                "(hint: choose another --port, or --port 0 for any free one)"
            ) from error
        if self.edit:
            from mdguide_build.tools.editor.api import EditorApi, scratch
            from mdguide_build.tools.editor.store import ContentStore

            store = ContentStore(
                self.content_dir, self.content_display, scratch(self.work_dir), on_write=self._edited
            )
            self.api = EditorApi(store, self.origins)
        self.rebuild("start")
        # What the first build loaded (modules, models, caches) lives as long as the server: keep it out of
        # the collector's way, which otherwise stops a rebuild for ~20 ms now and then to scan it all again.
        gc.collect()
        gc.freeze()
        self._thread(self.server.serve_forever, "preview-http", kwargs={"poll_interval": 0.1})
        self.serving = True
        self._thread(self._watch, "preview-watch")
        if not self.watching.wait(WATCH_START_TIMEOUT):
            self.stop()
            raise PreviewError(f"the file watcher did not start within {WATCH_START_TIMEOUT:g} s")
        return self

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self.server is not None:
            if self.serving:
                self.server.shutdown()
            self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        with self.build_lock:  # a rebuild started by a save finishes before its folder goes
            if self.work_dir is not None:
                shutil.rmtree(self.work_dir, ignore_errors=True)

    def wait(self) -> None:
        """Block until stopped (Ctrl+C raises KeyboardInterrupt here)."""
        while not self.stopping.wait(0.5):
            pass

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/" if ":" not in host else f"http://[{host}]:{port}/"

    def origins(self) -> set[str]:
        """The origins the editor's page may be served from: loopback names and this port."""
        port = self.server.server_address[1]
        return {f"http://{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def _thread(self, target: Callable, name: str, kwargs: dict | None = None) -> None:
        thread = threading.Thread(target=target, name=name, kwargs=kwargs or {}, daemon=True)
        thread.start()
        self.threads.append(thread)

    # -- building -----------------------------------------------------------------------

    def rebuild(self, reason: str) -> bool:
        """Make the page again if the content differs from what it was made from; False if it did not.

        Never raises: whatever happens, the page shows the guide or says what went wrong.
        """
        with self.build_lock:
            if self.stopping.is_set():
                return False
            current = _digests(self.content_dir)
            if current == self.digests:
                return False
            started = time.perf_counter()
            for _ in range(5):  # a file saved while the page was made: make it again from the new files
                page, ok, errors = self._render()
                after = _digests(self.content_dir)
                if after == current:
                    break
                current = after
            seconds = time.perf_counter() - started
            with self.changed:
                self.page, self.ok, self.errors, self.digests = page, ok, errors, current
                self.generation += 1
                self.changed.notify_all()
        if ok:
            self.log(f"{reason}: built the preview in {seconds:.2f} s")
        else:
            self.log(f"{reason}: {errors} error(s); the page shows where")
        return True

    def _render(self) -> tuple[bytes, bool, int]:
        """(page, ok, number of errors) for the content as it is now."""
        from mdguide_build.builders.html import guide_page
        from mdguide_build.tools.preview_page import IncrementalPage
        from mdguide_build.validate.loader import ContentError, FileMemo, load_content

        self.memo = self.memo or FileMemo()
        self.pages = self.pages or IncrementalPage()
        try:
            content, _ = load_content(self.content_dir, self.content_display, memo=self.memo)
            page = self.pages.page(guide_page(content, source_map=self.edit))
            (self.work_dir / "page.html").write_bytes(page)  # as a build would leave it, to look at
            return page, True, 0
        except ContentError as error:
            errors = [d for d in error.diagnostics if d.is_error]
            return safe_error_page(self.content_display, errors), False, len(errors)
        except MdguideError as error:
            return safe_error_page(self.content_display, [], str(error)), False, 1
        except Exception as error:  # a bug in a builder: say so on the page rather than die silently
            message = f"internal error while building: {type(error).__name__}: {error}"
            return safe_error_page(self.content_display, [], message), False, 1

    def _edited(self, relpaths: list[str]) -> None:
        """The editor wrote files: rebuild now rather than wait for the watcher."""
        threading.Thread(target=self.rebuild, args=("edited " + ", ".join(relpaths),), daemon=True).start()

    def _watch(self) -> None:
        import watchfiles

        def json_files(change: watchfiles.Change, path: str) -> bool:
            name = Path(path).name
            return name.endswith(".json") and not name.startswith(".")

        root = self.content_dir.resolve()
        # yield_on_timeout: the first (empty) answer tells us the watcher is in place.
        for changes in watchfiles.watch(
            self.content_dir,
            watch_filter=json_files,
            debounce=DEBOUNCE_MS,
            step=WATCH_STEP_MS,
            stop_event=self.stopping,
            raise_interrupt=False,
            rust_timeout=250,
            yield_on_timeout=True,
        ):
            try:
                if not self.watching.is_set():
                    self.watching.set()
                    self.rebuild("saved while the preview started")  # only if something was
                if changes:
                    names = sorted(
                        {
                            Path(path).relative_to(root).as_posix()
                            if Path(path).is_relative_to(root)
                            else Path(path).name
                            for _, path in changes
                        }
                    )
                    self.rebuild("saved " + ", ".join(names))
            except Exception as error:  # keep watching whatever happened
                self.log(f"internal error while watching: {type(error).__name__}: {error}")

    # -- serving ------------------------------------------------------------------------

    def served_page(self) -> tuple[bytes, str]:
        """The page with the reload script (or the editor) added, and the nonce that allows it."""
        with self.changed:
            page, generation, ok, digests = self.page, self.generation, self.ok, dict(self.digests or {})
        nonce = secrets.token_urlsafe(16)
        if self.api is not None and ok:
            boot = {
                "token": self.api.token,
                "generation": generation,
                "digests": digests,
                "display": self.content_display,
                "api": "/__mdguide/api/",
                "events": EVENTS_PATH,
            }
            data = json.dumps(boot, ensure_ascii=True).replace("<", "\\u003c")
            head = f'<link rel="stylesheet" href="{EDITOR_CSS_PATH}">\n'.encode()
            tail = (
                f'<script type="application/json" id="mdguide-editor-boot">{data}</script>\n'
                f'<script nonce="{nonce}" src="{EDITOR_JS_PATH}"></script>\n'
            ).encode()
            at = page.find(b"</head>")
            page = page[:at] + head + page[at:] if at >= 0 else page
        else:
            tail = f'<script nonce="{nonce}">{RELOAD_SCRIPT % (generation, EVENTS_PATH)}</script>\n'.encode()
        at = page.rfind(b"</body>")
        if at < 0:
            raise PreviewError("the built page has no </body>")  # the builder's template always has one
        return page[:at] + tail + page[at:], nonce

    def next_generation(self, since: int, timeout: float) -> int | None:
        """The generation once it differs from ``since``; None on timeout or when stopping."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != since or self.stopping.is_set(), timeout)
            if self.stopping.is_set() or self.generation == since:
                return None
            return self.generation

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's Host header names this server by a name no other site can take."""
        port = self.server.server_address[1]
        if not host:
            return False
        name, _, given = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name or given != str(port):
            return False
        name = name[1:-1] if name.startswith("[") and name.endswith("]") else name
        if name in LOOPBACK_HOSTS:
            return True
        if self.edit:
            return False
        # Viewing only, on an address others can reach: an IP address cannot be rebound, a name can.
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], preview: Preview):
        self.preview = preview
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):  # too many at once: answer at once, hold no thread
            try:
                request.settimeout(1)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\n\r\n"
                )
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away or stalled: nothing to report
        self.preview.log(f"internal error answering a request: {type(error).__name__}: {error}")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "mdguide-preview"
    protocol_version = "HTTP/1.0"
    timeout = REQUEST_TIMEOUT

    def log_message(self, *args: object) -> None:
        pass  # the preview logs builds, not requests

    def _allowed(self) -> bool:
        if self.server.preview.host_allowed(self.headers.get("Host")):
            return True
        self._send(
            403,
            "text/plain; charset=utf-8",
            b"Refused: this preview answers only to http://127.0.0.1 (or localhost) on its own port.\n",
        )
        return False

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self._allowed():
            return
        parts = urlsplit(self.path)
        preview = self.server.preview
        if parts.path in ("/", "/index.html"):
            page, nonce = preview.served_page()
            self._send(
                200,
                "text/html; charset=utf-8",
                page,
                {
                    "Content-Security-Policy": (
                        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src data:; "
                        f"script-src 'nonce-{nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                        "frame-ancestors 'none'"
                    ),
                    "Cache-Control": "no-store",
                },
            )
        elif parts.path == STATUS_PATH:
            with preview.changed:
                status = {"generation": preview.generation, "ok": preview.ok, "errors": preview.errors}
            self._json(200, status)
        elif parts.path == EVENTS_PATH:
            since = parse_qs(parts.query, keep_blank_values=True).get("since")
            if since is not None and not SINCE.fullmatch(since[0]):
                self._send(
                    400,
                    "text/plain; charset=utf-8",
                    b"Bad request: ?since= must be a whole number, the build the page shows (e.g. ?since=3).\n",
                )
                return
            self._events(int(since[0]) if since else -1)
        elif parts.path == "/favicon.ico":
            self._send(204, "image/x-icon", b"")  # none: browsers ask for it on every page
        elif preview.api is not None and parts.path in (EDITOR_JS_PATH, EDITOR_CSS_PATH):
            kind = "text/javascript" if parts.path.endswith(".js") else "text/css"
            body = (EDITOR_STATIC / parts.path.rsplit("/", 1)[1]).read_bytes()
            self._send(200, f"{kind}; charset=utf-8", body, {"Cache-Control": "no-store"})
        elif preview.api is not None and parts.path.startswith("/__mdguide/api/"):
            self._api(parts, None)
        else:
            self._send(404, "text/plain; charset=utf-8", b"Not found: the preview serves only / .\n")

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        if not self._allowed():
            return
        parts = urlsplit(self.path)
        if self.server.preview.api is None or not parts.path.startswith("/__mdguide/api/"):
            self._send(405, "text/plain; charset=utf-8", b"Not allowed: the preview only shows the guide.\n")
            return
        from mdguide_build.tools.editor.api import MAX_BODY

        length = self.headers.get("Content-Length", "")
        if not (length.isascii() and length.isdigit()):
            self._api(parts, None)  # refused: a change must say its length
        elif int(length) > MAX_BODY:
            self._json(413, {"error": f"a request may be at most {MAX_BODY:,} bytes", "hint": ""})
        else:
            self._api(parts, self.rfile.read(int(length)))

    def _api(self, parts, body: bytes | None) -> None:
        preview = self.server.preview
        query = parse_qs(parts.query, keep_blank_values=True)
        status, answer = preview.api.handle(self.command, parts.path, query, self.headers, body)
        self._json(status, answer)

    def _json(self, status: int, value: object) -> None:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self._send(status, "application/json; charset=utf-8", body, {"Cache-Control": "no-store"})

    def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _events(self, since: int) -> None:
        """Server-Sent Events: one message with the new generation after each rebuild."""
        preview = self.server.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 500\n\n")
        self.wfile.flush()
        while not preview.stopping.is_set():
            generation = preview.next_generation(since, KEEP_ALIVE)
            if generation is None:
                self.wfile.write(b": waiting\n\n")
            else:
                self.wfile.write(f"data: {generation}\n\n".encode())
                since = generation
            self.wfile.flush()
        self.close_connection = True


def _digests(content_dir: Path) -> dict[str, str]:
    """The SHA-256 of every content file: the page is made again whenever one differs."""
    import hashlib

    from mdguide_build.validate.loader import content_files

    digests = {}
    for path in content_files(content_dir):
        try:
            digests[path.relative_to(content_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # removed while we looked, or unreadable: the build says so
    return digests


def remove_abandoned_work_dirs() -> None:
    """Remove the temporary folders of previews that were killed (their process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*-*"):
        pid = folder.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if (
            not pid.isdigit()
            or not folder.is_dir()
            or folder.is_symlink()
            or folder.stat().st_uid != os.getuid()
        ):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # alive, or not ours to ask about


def error_page(content_display: str, diagnostics: list[Diagnostic], message: str = "") -> bytes:
    """The page shown instead of the guide while the content has errors (built with lxml: escaped)."""
    errors = [d for d in diagnostics if d.is_error]
    items = []
    for d in errors:
        place = d.file if d.line == 0 else f"{d.file}:{d.line}:{d.column}"
        hint = [E.SPAN({"class": "hint"}, shown(f"Hint: {d.hint}"))] if d.hint else []
        items.append(
            E.LI(
                E.SPAN({"class": "place"}, shown(place)),
                " ",
                E.SPAN({"class": "code"}, shown(d.code)),
                " ",
                E.SPAN({"class": "pointer"}, shown(d.pointer or "/")),
                ": ",
                shown(d.message),
                *hint,
            )
        )
    count = len(errors) if errors else 1
    lead = (
        f"{count} error{'s' * (count != 1)} in {shown(content_display)}. Fix {'them' if count != 1 else 'it'} "
        "and save: this page reloads by itself."
    )
    body = [E.H1("The preview could not be rebuilt"), E.P(lead)]
    if message:
        body.append(E.P(E.SPAN({"class": "place"}, shown(message))))
    if items:
        body.append(E.OL(*items))
    document = E.HTML(
        {"lang": "en-GB"},
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE("Preview: the content has errors"),
            E.STYLE(ERROR_CSS),
        ),
        E.BODY(E.MAIN(*body)),
    )
    return tostring(document, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")


def safe_error_page(content_display: str, diagnostics: list[Diagnostic], message: str = "") -> bytes:
    """``error_page``, or, should even that fail, a plain page that says so: the preview never freezes."""
    try:
        return error_page(content_display, diagnostics, message)
    except Exception as error:
        import html

        text = html.escape(
            shown(f"The preview could not be rebuilt, nor its list of errors shown ({error}).")
        )
        return (
            '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            "<title>Preview: the content has errors</title></head>"
            f"<body><main><h1>The preview could not be rebuilt</h1><p>{text}</p>"
            "<p>Run mdguide validate to see the errors.</p></main></body></html>"
        ).encode()
