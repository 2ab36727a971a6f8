"""Tools for the guide's editors: the content diff, revisions, link checking, the preview and editor server."""
