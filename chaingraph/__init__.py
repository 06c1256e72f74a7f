"""chaingraph: industry-chain graphs for investment promotion.

Load firms, supplier links, chain templates and regions into a graph, find the
gaps in the chains around anchor firms (鏈主), and rank the firms worth
recruiting, with every score explained.

>>> import chaingraph
>>> store = chaingraph.open_store("tests/data/tiny")
>>> store.anchors("js")
['lanjun']

The public functions below are imported on first use, so ``import chaingraph``
stays fast and pyvis or the database drivers load only when needed.
"""
from __future__ import annotations

import importlib
from typing import Any

from chaingraph._version import __version__
from chaingraph.errors import (
    ChainGraphError,
    DatasetError,
    DatasetErrors,
    StoreError,
    UnknownFirmError,
    UnknownRegionError,
)


#: Public name to the module that defines it.
_EXPORTS = {
    "read_dataset": "datasets",
    "graph_from_dataset": "stores",
    "generate_dataset": "generate",
    "open_store": "stores",
    "describe": "stores",
    "GraphStore": "stores",
    "MemoryStore": "stores.memory",
    "CypherStore": "stores.graphdb",
    "load_dataset": "stores.graphdb",
    "find_gaps": "analyses.gaps",
    "find_region_gaps": "analyses.gaps",
    "rank_targets": "analyses.targets",
    "plan_targets": "analyses.plan",
    "gap_report": "jobs",
    "target_report": "jobs",
    "plan_report": "jobs",
    "html_report": "jobs",
    "run_demo": "jobs",
    "write_html": "exports.html",
    "write_chain_map": "exports.poster",
    "write_firm_map": "exports.firm_map",
    "write_target_table": "exports.tables",
    "validate_graph": "model",
}

__all__ = ["__version__", "ChainGraphError", "DatasetError", "DatasetErrors", "StoreError", "UnknownFirmError",
           "UnknownRegionError", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'chaingraph' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"chaingraph.{module}"), name)
    globals()[name] = value
    return value
