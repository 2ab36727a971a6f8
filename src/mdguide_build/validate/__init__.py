"""Reading and checking content/: positions, the loader, schemas, diagnostics, cross-reference and role checks."""
