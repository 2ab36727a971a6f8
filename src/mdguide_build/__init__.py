"""mdguide: publish 'The medical director's role' from validated JSON content."""

__version__ = "0.1.0"
