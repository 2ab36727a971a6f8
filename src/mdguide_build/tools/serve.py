"""Live preview for editors: the HTML on localhost, rebuilt on save, reloaded in the browser.

* The page is built by the real HTML builder into a private temporary folder
  (never outputs/), and rebuilt whenever a ``.json`` file under the content
  folder is saved (``watchfiles``, in a thread).
* When a rebuild fails, the page becomes an error page listing every problem
  with its file, line and column; fixing the content brings the guide back.
  The page is built with lxml, so whatever an editor typed is escaped.
* The browser reloads by itself: when *serving* a page, and only then, the
  server adds one small script that listens for rebuilds (Server-Sent Events)
  and reloads.  The files the builder wrote keep their no-script guarantee;
  the served page carries a Content-Security-Policy that allows that one
  script (by nonce) and nothing else.
* It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import json
import secrets
import shutil
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
KEEP_ALIVE = 15.0  # seconds between keep-alive comments on the event stream
DEBOUNCE_MS = 100
WATCH_START_TIMEOUT = 10.0

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
    ):
        self.content_dir = content_dir
        self.content_display = content_display or content_dir.as_posix()
        self.host, self.port = host, port
        self.log = log
        self.generation = 0
        self.ok = False
        self.errors = 0
        self.page = b""
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.watching = threading.Event()
        self.stamps: dict[str, tuple[int, int]] = {}  # the content files as of the last build
        self.build_lock = threading.Lock()
        self.work_dir: Path | None = None
        self.server: ThreadingHTTPServer | None = None
        self.serving = False
        self.threads: list[threading.Thread] = []

    # -- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Preview:
        if not self.content_dir.is_dir():
            raise PreviewError(
                f"{self.content_display} is not a folder (hint: run mdguide from the project "
                "folder, or pass --content DIR)"
            )
        self.work_dir = Path(tempfile.mkdtemp(prefix="mdguide-preview-"))
        try:
            self.server = _Server((self.host, self.port), _Handler, self)
        except OSError as error:
            self.stop()
            raise PreviewError(
                f"cannot listen on {self.host}:{self.port}: {error.strerror} "
                "(hint: choose another --port, or --port 0 for any free one)"
            ) from error
        self.rebuild("start")
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

    def _thread(self, target: Callable, name: str, kwargs: dict | None = None) -> None:
        thread = threading.Thread(target=target, name=name, kwargs=kwargs or {}, daemon=True)
        thread.start()
        self.threads.append(thread)

    # -- building -----------------------------------------------------------------------

    def rebuild(self, reason: str) -> None:
        """Build the HTML; on failure, the error page takes its place."""
        from mdguide_build.build import build
        from mdguide_build.validate.loader import ContentError, load_content

        with self.build_lock:
            started = time.perf_counter()
            self.stamps = _stamps(self.content_dir)
            try:
                # Validated here first so that problems name files as the editor does (content/…).
                load_content(self.content_dir, self.content_display)
                report = build(self.content_dir, self.work_dir / "site", ["html"])
                page, ok, errors = report.paths()[0].read_bytes(), True, 0
            except ContentError as error:
                page, ok = error_page(self.content_display, error.diagnostics), False
                errors = sum(d.is_error for d in error.diagnostics)
            except MdguideError as error:
                page, ok, errors = error_page(self.content_display, [], str(error)), False, 1
            except Exception as error:  # a bug in a builder: say so on the page rather than die silently
                message = f"internal error while building: {type(error).__name__}: {error}"
                page, ok, errors = error_page(self.content_display, [], message), False, 1
            seconds = time.perf_counter() - started
            with self.changed:
                self.page, self.ok, self.errors = page, ok, errors
                self.generation += 1
                self.changed.notify_all()
        if ok:
            self.log(f"{reason}: built the preview in {seconds:.2f} s")
        else:
            self.log(f"{reason}: {errors} error(s); the page shows where")

    def _watch(self) -> None:
        import watchfiles

        def json_files(change: watchfiles.Change, path: str) -> bool:
            name = Path(path).name
            return name.endswith(".json") and not name.startswith(".")

        # yield_on_timeout: the first (empty) answer tells us the watcher is in place.
        for changes in watchfiles.watch(
            self.content_dir,
            watch_filter=json_files,
            debounce=DEBOUNCE_MS,
            step=50,
            stop_event=self.stopping,
            raise_interrupt=False,
            rust_timeout=250,
            yield_on_timeout=True,
        ):
            if not self.watching.is_set():
                self.watching.set()
                if not changes and _stamps(self.content_dir) != self.stamps:
                    self.rebuild("saved while the preview started")
            if not changes:
                continue
            names = sorted(
                {
                    Path(path).relative_to(self.content_dir.resolve()).as_posix()
                    if Path(path).is_relative_to(self.content_dir.resolve())
                    else Path(path).name
                    for _, path in changes
                }
            )
            self.rebuild("saved " + ", ".join(names))

    # -- serving ------------------------------------------------------------------------

    def served_page(self) -> tuple[bytes, str]:
        """The page with the reload script added, and the nonce that allows it."""
        with self.changed:
            page, generation = self.page, self.generation
        nonce = secrets.token_urlsafe(16)
        script = f'<script nonce="{nonce}">{RELOAD_SCRIPT % (generation, EVENTS_PATH)}</script>\n'.encode()
        at = page.rfind(b"</body>")
        if at < 0:
            raise PreviewError("the built page has no </body>")  # the builder's template always has one
        return page[:at] + script + page[at:], nonce

    def next_generation(self, since: int, timeout: float) -> int | None:
        """The generation once it differs from ``since``; None on timeout or when stopping."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != since or self.stopping.is_set(), timeout)
            if self.stopping.is_set() or self.generation == since:
                return None
            return self.generation


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], preview: Preview):
        self.preview = preview
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "mdguide-preview"

    def log_message(self, *args: object) -> None:
        pass  # the preview logs builds, not requests

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
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
                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                        f"script-src 'nonce-{nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'"
                    ),
                    "Cache-Control": "no-store",
                },
            )
        elif parts.path == STATUS_PATH:
            with preview.changed:
                status = {"generation": preview.generation, "ok": preview.ok, "errors": preview.errors}
            self._send(200, "application/json", json.dumps(status).encode(), {"Cache-Control": "no-store"})
        elif parts.path == EVENTS_PATH:
            self._events(parse_qs(parts.query).get("since", [""])[0])
        else:
            self._send(404, "text/plain; charset=utf-8", b"Not found: the preview serves only / .\n")

    def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _events(self, since_text: str) -> None:
        """Server-Sent Events: one message with the new generation after each rebuild."""
        preview = self.server.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        since = int(since_text) if since_text.isdigit() else -1
        try:
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
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away
        self.close_connection = True


def _stamps(content_dir: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every content file: a change between two looks shows."""
    from mdguide_build.validate.loader import content_files

    stamps = {}
    for path in content_files(content_dir):
        try:
            info = path.stat()
        except OSError:
            continue  # removed while we looked
        stamps[path.as_posix()] = (info.st_mtime_ns, info.st_size)
    return stamps


def error_page(content_display: str, diagnostics: list[Diagnostic], message: str = "") -> bytes:
    """The page shown instead of the guide while the content has errors (built with lxml: escaped)."""
    errors = [d for d in diagnostics if d.is_error]
    items = []
    for d in errors:
        place = d.file if d.line == 0 else f"{d.file}:{d.line}:{d.column}"
        hint = [E.SPAN({"class": "hint"}, f"Hint: {d.hint}")] if d.hint else []
        items.append(
            E.LI(
                E.SPAN({"class": "place"}, place),
                " ",
                E.SPAN({"class": "code"}, d.code),
                " ",
                E.SPAN({"class": "pointer"}, d.pointer or "/"),
                ": ",
                d.message,
                *hint,
            )
        )
    count = len(errors) if errors else 1
    lead = (
        f"{count} error{'s' * (count != 1)} in {content_display}. Fix {'them' if count != 1 else 'it'} "
        "and save: this page reloads by itself."
    )
    body = [E.H1("The preview could not be rebuilt"), E.P(lead)]
    if message:
        body.append(E.P(E.SPAN({"class": "place"}, message)))
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
