"""The pandoc layer: the typed AST, the guide (and its rewrites) as a document, the one place that runs pandoc."""
