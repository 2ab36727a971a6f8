"""mdguide's exceptions: one small tree, so the CLI can catch its own errors only."""


class MdguideError(Exception):
    """Root of mdguide's exceptions."""
