"""Editor tools on top of the build: content diff, revisions, link check, the preview and editor server, review export and import."""
