"""Editor tools on top of the build: content diff, revisions, link check, the preview server, review export and import."""
