"""Edit a DOCX in LibreOffice through its UNO API, with change tracking on, and save it as DOCX.

Run with Debian's /usr/bin/python3 (the `uno` module of python3-uno is built for it, not for the
project's venv):  /usr/bin/python3 lo_edit.py IN.docx OUT.docx '[{"op": "replace", ...}, ...]'

Operations (each finds its text, case-sensitive, and fails if it is not there):
  replace      {"find": "...", "with": "..."}
  delete       {"find": "..."}
  insert_after {"find": "...", "text": "..."}   text typed right after the found words
  italic       {"find": "..."}
  new_paragraph_after {"find": "...", "text": "..."}   Enter at the end of that paragraph, then the text

LibreOffice is started with a private profile in a temporary folder (so no lock file or profile
is shared with another run), on a free port, and every process it started is ended afterwards.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

FILTER = "MS Word 2007 XML"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find(doc, text):
    descriptor = doc.createSearchDescriptor()
    descriptor.SearchString = text
    descriptor.SearchCaseSensitive = True
    found = doc.findFirst(descriptor)
    if found is None:
        raise SystemExit(f"lo_edit: not found in the document: {text!r}")
    return found


def apply(doc, op):
    kind = op["op"]
    found = find(doc, op["find"])
    if kind == "replace":
        found.setString(op["with"])
    elif kind == "delete":
        found.setString("")
    elif kind == "insert_after":
        text = found.getText()
        text.insertString(text.createTextCursorByRange(found.getEnd()), op["text"], False)
    elif kind == "italic":
        found.CharPosture = uno.Enum("com.sun.star.awt.FontSlant", "ITALIC")
    elif kind == "new_paragraph_after":
        text = found.getText()
        cursor = text.createTextCursorByRange(found.getEnd())
        cursor.gotoEndOfParagraph(False)
        text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        text.insertString(cursor, op["text"], False)
    else:
        raise SystemExit(f"lo_edit: unknown operation {kind!r}")


def end(process):
    """soffice is a wrapper that leaves soffice.bin running: end its children by id, then it."""
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True
    )
    for pid in children.stdout.split():
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(source, target, ops):
    work = tempfile.mkdtemp(prefix="lo-review-")
    document = os.path.join(work, "in.docx")
    saved = os.path.join(work, "out.docx")
    shutil.copy(source, document)  # a private copy: no .~lock file beside the caller's document
    port = free_port()
    process = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation=file://{work}/profile",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 90
        while True:
            try:
                ctx = resolver.resolve(
                    f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
                )
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = None
        while doc is None:  # loadComponentFromURL returns None, silently, while LibreOffice is starting
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(document),
                "_blank",
                0,
                (prop("Hidden", True), prop("FilterName", FILTER)),
            )
            if doc is None:
                if time.time() > deadline:
                    raise SystemExit("lo_edit: LibreOffice did not load the document")
                time.sleep(0.5)
        doc.RecordChanges = True
        for op in ops:
            apply(doc, op)
        doc.storeToURL(uno.systemPathToFileUrl(saved), (prop("FilterName", FILTER),))
        doc.close(True)
        shutil.copy(saved, target)
    finally:
        end(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
