"""chaingraph: industry-chain graphs for investment promotion.

Load firms, supplier links, chain templates and regions into a graph, find the
gaps in the chains around anchor firms, and rank the firms worth recruiting.
"""
from __future__ import annotations

__version__ = "0.1.0"

from chaingraph.errors import ChainGraphError, DatasetError, StoreError, UnknownFirmError

__all__ = ["__version__", "ChainGraphError", "DatasetError", "StoreError", "UnknownFirmError"]
