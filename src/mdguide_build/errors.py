"""mdguide's exceptions: one small tree, so the CLI can catch its own errors only."""


class MdguideError(Exception):
    """Root of mdguide's exceptions."""


class ContentError(MdguideError):
    """The content is invalid; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: list, where: str):
        self.diagnostics = diagnostics
        errors = sum(d.is_error for d in diagnostics)
        super().__init__(f"{errors} error{'s' * (errors != 1)} in {where}")


class BuildError(MdguideError):
    """A build failed; the output folder is as it was."""
