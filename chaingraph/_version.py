"""The version of chaingraph, in a module of its own so that every layer can read it without importing
the package's ``__init__`` (which pulls in :mod:`chaingraph.errors`)."""
from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
