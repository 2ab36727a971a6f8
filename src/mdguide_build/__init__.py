"""mdguide: publish 'The medical director's role' from validated JSON content."""

from pathlib import Path

__version__ = "0.1.0"

# Templates and stylesheets, shipped inside the package; every layer may read them.
ASSETS = Path(__file__).resolve().parent / "assets"
