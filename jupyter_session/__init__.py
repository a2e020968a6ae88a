"""PyWebIO's imperative session API, in Jupyter cells and on a Tornado-served page."""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
