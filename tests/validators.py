"""Thin wrappers that run the REAL external validators and return structured results.

Plain Python (no pytest fixtures) so any test can import it::

    from validators import epubcheck, ace, vnu, Browser, soffice_to_pdf, ...

Every wrapper runs the actual tool. A tool that is not installed raises
:class:`ToolMissing` (install everything with ``make test-tools``); a tool that
crashes or prints something unparsable raises :class:`ToolFailed`. Nothing is
ever skipped or faked here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = Path(os.environ.get("MDGUIDE_NODE_MODULES", ROOT / ".tools" / "node" / "node_modules"))
ACE_CLI = NODE_MODULES / ".bin" / "ace-cli"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("MDGUIDE_CHROMIUM", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# liblouis: BRF (North American braille ASCII) display table + UEB grade 2.
BRF_TABLES = "en-us-brf.dis,en-ueb-g2.ctb"

_INSTALL_HINT = "run `make test-tools` (see mk/test-tools.mk)"


class ToolMissing(RuntimeError):
    """A required external tool is not installed."""


class ToolFailed(RuntimeError):
    """An external tool ran but failed in a way that yields no usable result."""


# --------------------------------------------------------------------------- helpers


def _which(cmd: str, what: str | None = None) -> str:
    found = shutil.which(cmd)
    if not found:
        raise ToolMissing(f"{what or cmd}: `{cmd}` not found on PATH; {_INSTALL_HINT}")
    return found


def _need_file(path: Path, what: str) -> Path:
    if not path.exists():
        raise ToolMissing(f"{what}: {path} does not exist; {_INSTALL_HINT}")
    return path


def _run(
    args: Sequence[str],
    *,
    timeout: float = 300,
    env: dict | None = None,
    input: str | None = None,
    ok_codes: Iterable[int] | None = (0,),
) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:  # pragma: no cover - guarded by _which
        raise ToolMissing(f"{args[0]}: {exc}; {_INSTALL_HINT}") from exc
    if ok_codes is not None and proc.returncode not in set(ok_codes):
        raise ToolFailed(
            f"{' '.join(map(str, args))} exited {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
        )
    return proc


def _java() -> str:
    return _which("java", "Java runtime (Debian default-jre-headless)")


def _epubcheck_jar() -> Path:
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.submodule_search_locations:
        raise ToolMissing(f"PyPI package `epubcheck` is not installed in this Python; {_INSTALL_HINT}")
    return _need_file(Path(list(spec.submodule_search_locations)[0]) / "epubcheck.jar", "epubcheck jar")


def _as_url(path_or_url: str | os.PathLike) -> str:
    s = str(path_or_url)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", s) and not re.match(r"^[a-zA-Z]:[\\/]", s):
        return s  # already a URL (file:, http:, data:, about: ...)
    p = Path(s).resolve()
    if not p.exists():
        raise FileNotFoundError(p)
    return p.as_uri()


# --------------------------------------------------------------------------- EPUBCheck

EPUBCHECK_SEVERITIES = ("FATAL", "ERROR", "WARNING", "USAGE")


def _epubcheck_jvm_opts(path: Path) -> list[str]:
    """JVM options: C1-only JIT saves ~1.3 s of EPUBCheck's ~4.5 s on small books
    but is slower on big ones (1.6 MB / 3000 files: 29 s vs 22 s), so only below 1 MB.
    Override with MDGUIDE_EPUBCHECK_JAVA_OPTS."""
    env = os.environ.get("MDGUIDE_EPUBCHECK_JAVA_OPTS")
    if env is not None:
        return env.split()
    opts = ["-XX:+UseSerialGC"]
    if path.stat().st_size < 1_000_000:
        opts.append("-XX:TieredStopAtLevel=1")
    return opts


def epubcheck(
    path: str | os.PathLike, *, usage: bool = True, severities: Iterable[str] = EPUBCHECK_SEVERITIES
) -> list[dict]:
    """Run EPUBCheck (jar from the PyPI ``epubcheck`` package) on an .epub.

    Returns one dict per message: ``severity`` (FATAL/ERROR/WARNING/USAGE/INFO),
    ``id`` (e.g. ``RSC-005``), ``message``, ``location`` (``path:line:col`` of the
    first location or ``""``), ``locations`` (all of them) and ``suggestion``.
    USAGE messages are only produced with ``usage=True`` (EPUBCheck's ``-u``).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    args = [
        _java(),
        *_epubcheck_jvm_opts(path),
        "-jar",
        str(_epubcheck_jar()),
        str(path),
        "--json",
        "-",
        "-q",
    ]
    if usage:
        args.append("--usage")
    proc = _run(args, ok_codes=None)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise ToolFailed(
            f"epubcheck exited {proc.returncode} without a JSON report:\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ) from exc
    wanted = {s.upper() for s in severities}
    out = []
    for m in report.get("messages", []):
        sev = (m.get("severity") or "").upper()
        if sev not in wanted:
            continue
        locs = [
            f"{loc.get('path', '')}:{loc.get('line', -1)}:{loc.get('column', -1)}"
            for loc in m.get("locations") or []
        ]
        out.append(
            {
                "severity": sev,
                "id": m.get("ID"),
                "message": m.get("message"),
                "location": locs[0] if locs else "",
                "locations": locs,
                "suggestion": m.get("suggestion"),
            }
        )
    return out


# --------------------------------------------------------------------------- DAISY Ace


def ace(path: str | os.PathLike, report_dir: str | os.PathLike, *, timeout: float = 600) -> dict:
    """Run DAISY Ace (``ace-cli``) with Debian's Chromium on an .epub.

    Returns ``{"outcome": "pass"|"fail", "violations": [...], "report": <report.json>,
    "report_dir": Path}``; each violation has ``rule``, ``impact``, ``file``,
    ``description``, ``html``, ``help_url`` and ``ruleset_tags``.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    _need_file(ACE_CLI, "DAISY Ace (npm @daisy/ace-cli)")
    _which("node", "Node.js")
    _need_file(Path(CHROMIUM), "Chromium (Debian chromium)")
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=CHROMIUM, PUPPETEER_SKIP_DOWNLOAD="1")
    proc = _run(
        [str(ACE_CLI), "-f", "-o", str(report_dir), str(path)], env=env, timeout=timeout, ok_codes=None
    )
    report_file = report_dir / "report.json"
    if proc.returncode != 0 or not report_file.exists():
        raise ToolFailed(
            f"ace-cli exited {proc.returncode}, report.json "
            f"{'present' if report_file.exists() else 'missing'}:\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    report = json.loads(report_file.read_text(encoding="utf-8"))
    violations = []
    for doc in report.get("assertions", []):
        file = (doc.get("earl:testSubject") or {}).get("url", "")
        for a in doc.get("assertions", []):
            result = a.get("earl:result") or {}
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test") or {}
            violations.append(
                {
                    "rule": test.get("dct:title"),
                    "impact": test.get("earl:impact"),
                    "file": file,
                    "description": result.get("dct:description"),
                    "html": result.get("html"),
                    "help_url": (test.get("help") or {}).get("url"),
                    "ruleset_tags": test.get("rulesetTags", []),
                }
            )
    return {
        "outcome": (report.get("earl:result") or {}).get("earl:outcome"),
        "violations": violations,
        "report": report,
        "report_dir": report_dir,
    }


# --------------------------------------------------------------------------- Nu HTML Checker


def vnu(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    errors_only: bool = True,
    force_html: bool = False,
) -> list[dict]:
    """Run the Nu HTML Checker (npm ``vnu-jar``) on one or more files.

    Returns the JSON messages (``type`` is ``error`` or ``non-document-error``
    with ``--errors-only``; ``info``/warnings otherwise): keys ``type``, ``url``,
    ``message``, ``extract``, ``lastLine``, ``firstColumn``... plus ``file``.
    ``force_html=True`` passes ``--html`` (check .xhtml as HTML).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("vnu: no files given")
    for f in files:
        if not f.exists():
            raise FileNotFoundError(f)
    args = [
        _java(),
        "-jar",
        str(_need_file(VNU_JAR, "Nu HTML Checker (npm vnu-jar)")),
        "--format",
        "json",
        "--exit-zero-always",
    ]
    if errors_only:
        args.append("--errors-only")
    if force_html:
        args.append("--html")
    args += [str(f) for f in files]
    proc = _run(args, ok_codes=(0,))
    # vnu writes its JSON report to stderr.
    text = proc.stderr.strip() or proc.stdout.strip()
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolFailed(f"vnu printed no JSON:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from exc
    out = []
    for m in report.get("messages", []):
        m = dict(m)
        url = m.get("url", "")
        m["file"] = url[len("file:") :] if url.startswith("file:") else url
        out.append(m)
    return out


# --------------------------------------------------------------------------- Chromium via Playwright


class Browser:
    """Headless Debian Chromium driven by Playwright; start once, use many times.

    >>> with Browser() as b:
    ...     violations = b.axe("out/index.html")
    ...     b.screenshot("out/index.html", "shot.png", viewport=(320, 640))
    """

    def __init__(
        self,
        executable_path: str = CHROMIUM,
        args: Sequence[str] = CHROMIUM_ARGS,
        axe_js: str | os.PathLike = AXE_JS,
    ):
        self.executable_path = executable_path
        self.args = list(args)
        self.axe_js = Path(axe_js)
        self._pw_cm = None
        self._pw = None
        self._browser = None
        self._pages: list = []

    # context management -------------------------------------------------
    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> Browser:
        if self._browser is not None:
            return self
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise ToolMissing(f"Python package `playwright` is not installed; {_INSTALL_HINT}") from exc
        _need_file(Path(self.executable_path), "Chromium (Debian chromium)")
        self._pw_cm = sync_playwright()
        self._pw = self._pw_cm.__enter__()
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.executable_path, args=self.args)
        except Exception:
            self._pw_cm.__exit__(None, None, None)
            self._pw_cm = self._pw = None
            raise
        return self

    def close(self) -> None:
        for pg in self._pages:
            try:
                pg.context.close()
            except Exception:
                pass
        self._pages.clear()
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._pw_cm is not None:
            self._pw_cm.__exit__(None, None, None)
            self._pw_cm = self._pw = None

    @property
    def version(self) -> str:
        self._require()
        return self._browser.version

    def _require(self):
        if self._browser is None:
            raise RuntimeError("Browser is not started; use `with Browser() as b:`")
        return self._browser

    # pages ---------------------------------------------------------------
    def page(
        self,
        path_or_url: str | os.PathLike | None = None,
        *,
        viewport: tuple[int, int] = (1280, 800),
        wait_until: str = "load",
        **context_kwargs,
    ):
        """A fresh page (own browser context) optionally navigated to a file or URL.

        Closed automatically when the Browser closes; close it earlier with
        ``page.context.close()`` if you open many.
        """
        ctx = self._require().new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, **context_kwargs
        )
        pg = ctx.new_page()
        self._pages.append(pg)
        if path_or_url is not None:
            pg.goto(_as_url(path_or_url), wait_until=wait_until)
        return pg

    def _release(self, pg) -> None:
        if pg in self._pages:
            self._pages.remove(pg)
        pg.context.close()

    def run_axe(self, pg, tags: Sequence[str] | None = AXE_TAGS, options: dict | None = None) -> dict:
        """Inject axe-core into an open page and return axe's full results object."""
        _need_file(self.axe_js, "axe-core (npm axe-core)")
        if not pg.evaluate("() => typeof window.axe !== 'undefined'"):
            pg.add_script_tag(path=str(self.axe_js))
        opts = dict(options or {})
        if tags:
            opts.setdefault("runOnly", {"type": "tag", "values": list(tags)})
        return pg.evaluate("async (opts) => await axe.run(document, opts)", opts)

    def axe(
        self,
        path_or_url: str | os.PathLike,
        tags: Sequence[str] | None = AXE_TAGS,
        *,
        viewport: tuple[int, int] = (1280, 800),
        options: dict | None = None,
    ) -> list[dict]:
        """axe-core violations for a page (list of axe ``violations`` entries)."""
        pg = self.page(path_or_url, viewport=viewport)
        try:
            return self.run_axe(pg, tags, options)["violations"]
        finally:
            self._release(pg)

    def screenshot(
        self,
        path_or_url: str | os.PathLike,
        png_path: str | os.PathLike,
        viewport: tuple[int, int] = (1280, 800),
        *,
        full_page: bool = True,
    ) -> Path:
        pg = self.page(path_or_url, viewport=viewport)
        try:
            png_path = Path(png_path)
            png_path.parent.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(png_path), full_page=full_page)
            return png_path
        finally:
            self._release(pg)


# --------------------------------------------------------------------------- LibreOffice, poppler


def soffice_to_pdf(docx_path: str | os.PathLike, outdir: str | os.PathLike, *, timeout: float = 180) -> Path:
    """Convert a document to PDF with headless LibreOffice; returns the PDF path.

    Uses a throw-away user profile so parallel runs do not collide.
    """
    soffice = _which("soffice", "LibreOffice (Debian libreoffice-writer-nogui)")
    src = Path(docx_path).resolve()
    if not src.exists():
        raise FileNotFoundError(src)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"mdguide-lo-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        proc = _run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(src),
            ],
            timeout=timeout,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (src.stem + ".pdf")
    if not pdf.exists():
        raise ToolFailed(f"soffice produced no {pdf}:\n{proc.stdout}\n{proc.stderr}")
    return pdf


def pdftotext(pdf: str | os.PathLike, *, layout: bool = False) -> str:
    exe = _which("pdftotext", "poppler-utils")
    args = [exe, "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(pdf), "-"]
    return _run(args).stdout


def pdfinfo(pdf: str | os.PathLike) -> dict:
    """``pdfinfo`` as a dict (``Pages`` as int, ``Tagged`` as bool, rest as strings)."""
    exe = _which("pdfinfo", "poppler-utils")
    info: dict = {}
    for line in _run([exe, str(pdf)]).stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    if "Pages" in info:
        info["Pages"] = int(info["Pages"])
    for k in ("Tagged", "Encrypted", "Optimized", "JavaScript", "UserProperties", "Suspects"):
        if k in info:
            info[k] = info[k].lower().startswith("yes")
    return info


# --------------------------------------------------------------------------- liblouis


def lou_back_translate(brf_text: str, tables: str = BRF_TABLES) -> str:
    """Back-translate BRF (braille ASCII, UEB grade 2 by default) to print text."""
    exe = _which("lou_translate", "liblouis (Debian liblouis-bin liblouis-data)")
    # lou_translate reads backslash escapes (\x, \\) from its input, and '\' is a
    # common braille cell in BRF, so escape it or whole lines come back empty.
    return _run([exe, "--backward", tables], input=brf_text.replace("\\", "\\\\")).stdout


def lou_translate(text: str, tables: str = BRF_TABLES) -> str:
    """Forward-translate print text to BRF (handy for building test inputs)."""
    exe = _which("lou_translate", "liblouis (Debian liblouis-bin liblouis-data)")
    return _run([exe, "--forward", tables], input=text.replace("\\", "\\\\")).stdout


# --------------------------------------------------------------------------- versions


def _first_line(args: Sequence[str], *, stderr: bool = False, pattern: str | None = None) -> str:
    try:
        proc = subprocess.run(
            list(args), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc.__class__.__name__})"
    text = (proc.stderr if stderr else proc.stdout) or proc.stdout or proc.stderr
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if pattern:
        lines = [ln for ln in lines if re.search(pattern, ln)] or lines
    return lines[0] if lines else f"unknown (exit {proc.returncode})"


def _npm_version(pkg: str) -> str:
    try:
        return json.loads((NODE_MODULES / pkg / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unavailable"


def _py_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unavailable"


def versions() -> dict:
    """Version string of every external tool (for test reports); never raises."""
    v: dict = {}
    v["java"] = _first_line(["java", "-version"], stderr=True)
    try:
        v["epubcheck"] = _first_line(
            [_java(), "-jar", str(_epubcheck_jar()), "--version"], pattern="EPUBCheck"
        )
    except ToolMissing as exc:
        v["epubcheck"] = f"unavailable ({exc})"
    v["ace-cli"] = _npm_version("@daisy/ace-cli")
    v["vnu"] = _first_line(["java", "-jar", str(VNU_JAR), "--version"]) if VNU_JAR.exists() else "unavailable"
    v["axe-core"] = _npm_version("axe-core")
    v["node"] = _first_line(["node", "--version"])
    v["chromium"] = _first_line([CHROMIUM, "--version"], pattern="Chromium")
    v["playwright"] = _py_version("playwright")
    v["soffice"] = _first_line(["soffice", "--version"], pattern="LibreOffice")
    v["pdftotext"] = _first_line(["pdftotext", "-v"], stderr=True)
    v["liblouis"] = _first_line(["lou_translate", "--version"])
    for dist in ("typst", "python-docx", "lxml", "pypdf", "pypandoc-binary"):
        v[dist] = _py_version(dist)
    return v
