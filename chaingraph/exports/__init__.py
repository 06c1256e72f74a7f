"""Exports: render analysis results for people and other tools.

* :mod:`~chaingraph.exports.text`: terminal tables;
* :mod:`~chaingraph.exports.tables`: CSV and XLSX files;
* :mod:`~chaingraph.exports.html`, :mod:`~chaingraph.exports.poster`, :mod:`~chaingraph.exports.firm_map`:
  the firm graph, the chain-map poster and the firm map, pages that work offline.

Exports take results (and the graph they describe), never a store.
"""
