"""The browser editor of ``mdguide serve --edit``: the guide edited in place on its own web page.

Modules, each small:

* ``store``: reads and writes content/ for the editor.  Every save is checked
  against the bytes the page was made from (conflicts), validated as
  ``mdguide validate`` validates (on a private copy), written in the project's
  own JSON form through the one atomic write, and kept for undo and redo.
* ``patch``: the edits a page sends, JSON Patch operations on one file.
* ``runs``: a text as the page's fields hold it (formatted runs and citations)
  and the guide's inline markup, both ways, byte for byte when nothing changed.
* ``api``: the JSON endpoints and the checks every request passes (token,
  origin, content type); ``tools/serve`` checks the Host header and serves them.
* ``changes``: the Changes panel and the New edition form's draft, from the
  library of ``mdguide diff``.
* ``bundle``: builds ``static/editor.js`` and ``editor.css`` from ``frontend/``
  (ProseMirror, bundled by esbuild; see frontend/README.md).
"""
