"""The editor's JSON endpoints, and the checks every request to them passes first.

    GET  api/state                 the editable files, their digests, what undo and redo would do
    GET  api/file?path=REL         one file: its JSON, digest, kind, schema, and its texts as runs
    POST api/save                  {"label", "edits": [{"file", "base", "ops"}]}
    POST api/undo, api/redo        {}
    GET  api/diff                  the changes since the last edition, and a draft for the next
    POST api/edition               {"base", "version", "date", "note"}

Every request must carry the session's token (``X-Mdguide-Token``, which
only the served page holds), come from the page's own origin (``Origin`` and
``Sec-Fetch-Site``, when the browser sends them), and a POST must be JSON
(which no form of another site can send without the browser asking first).
The Host header is checked before any of this, for every request (``serve``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from mdguide_build.guide.models import FILE_MODELS
from mdguide_build.guide.texts import marked_texts
from mdguide_build.tools.editor import changes
from mdguide_build.tools.editor.runs import to_runs
from mdguide_build.tools.editor.store import ContentStore, EditRefused
from mdguide_build.validate.schema import build_schema

PREFIX = "/__mdguide/api/"
TOKEN_HEADER = "X-Mdguide-Token"
MAX_BODY = 2 * 1024 * 1024


class EditorApi:
    """Answers the editor's requests; ``origins()`` lists the origins the page may be served from."""

    def __init__(self, store: ContentStore, origins: Callable[[], set[str]], token: str | None = None):
        self.store = store
        self.origins = origins
        self.token = token or secrets.token_urlsafe(32)

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for one request; never raises for a bad request."""
        try:
            self._check(method, headers)
            name = path[len(PREFIX) :]
            if method == "GET" and name == "state":
                return 200, {"files": self._files(), **self.store.history()}
            if method == "GET" and name == "file":
                return 200, self._file(query.get("path", [None])[0])
            if method == "GET" and name == "diff":
                return 200, changes.since_last_edition(self.store.root, self.store.display)
            if method == "POST" and name in ("save", "undo", "redo", "edition"):
                request = _json_body(body)
                if name == "save":
                    return 200, self.store.save(request.get("edits"), request.get("label"))
                if name == "edition":
                    return 200, self.store.new_edition(
                        request.get("base"), request.get("version"), request.get("date"), request.get("note")
                    )
                return 200, self.store.undo() if name == "undo" else self.store.redo()
            raise EditRefused(404, f"no such request: {method} {path}")
        except EditRefused as refused:
            return refused.status, refused.to_dict()

    def _check(self, method: str, headers: Mapping[str, str]) -> None:
        origin = headers.get("Origin")
        if origin is not None and origin not in self.origins():
            raise EditRefused(403, "requests from other web sites are refused")
        if headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise EditRefused(403, "requests from other web sites are refused")
        if not secrets.compare_digest(headers.get(TOKEN_HEADER, "").encode(), self.token.encode()):
            raise EditRefused(
                403,
                "this request does not carry the editor's token",
                "reload the editor's page (the token changes each time mdguide serve starts)",
            )
        if method == "POST":
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                raise EditRefused(415, "the editor accepts only JSON")

    def _files(self) -> dict:
        digests = self.store.digests()
        return {
            relpath: {"kind": kind, "name": self.store.name(relpath), "digest": digests[relpath]}
            for relpath, kind in self.store.kinds().items()
            if relpath in digests
        }

    def _file(self, relpath: object) -> dict:
        loaded = self.store.load(relpath)
        loaded["schema"] = build_schema(loaded["kind"])
        loaded["runs"] = {}
        try:
            model = FILE_MODELS[loaded["kind"]].model_validate(loaded["value"])
            loaded["runs"] = {pointer: to_runs(text) for pointer, text in marked_texts(model)}
        except ValueError:
            pass  # an invalid file has no editable texts; the page shows its errors instead
        return loaded


def _json_body(body: bytes | None) -> dict:
    if body is None:
        raise EditRefused(411, "a request to change content must say its length")
    if len(body) > MAX_BODY:
        raise EditRefused(413, f"a request may be at most {MAX_BODY:,} bytes")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EditRefused(400, "the request is not JSON") from None
    if not isinstance(value, dict):
        raise EditRefused(400, "the request must be a JSON object")
    return value


def api_path(path: str) -> bool:
    return path.startswith(PREFIX)


def scratch(work_dir: Path) -> Path:
    """Where the store validates edits: a folder of the preview's own temporary folder."""
    folder = work_dir / "validate"
    folder.mkdir(exist_ok=True)
    return folder
