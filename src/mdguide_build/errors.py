"""mdguide's exceptions: one small tree, so the CLI can catch its own errors only."""


class MdguideError(Exception):
    """Root of mdguide's exceptions."""


class ContentError(MdguideError):
    """The content is invalid; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: list, where: str):
        self.diagnostics = diagnostics
        errors = sum(d.is_error for d in diagnostics)
        super().__init__(f"{errors} error{'s' * (errors != 1)} in {where}")


def did_you_mean(name: str, known: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The known name ``name`` most likely stands for, or None: every "did you mean" hint uses this.

    ``aliases`` maps other words people use to a known name (e.g. "braille" to "brf"), for
    names that no spelling mistake would lead to.
    """
    import difflib

    lowered = name.strip().lower()
    if aliases and lowered in aliases:
        return aliases[lowered]
    close = difflib.get_close_matches(lowered, known, n=1, cutoff=0.5)
    if close:
        return close[0]
    if aliases:
        close = difflib.get_close_matches(lowered, list(aliases), n=1, cutoff=0.75)
        if close:
            return aliases[close[0]]
    return None
