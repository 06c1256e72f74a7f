"""Exports: render analysis results for people and other tools.

* :mod:`~chaingraph.exports.text`: terminal tables;
* :mod:`~chaingraph.exports.tables`: CSV and XLSX files;
* :mod:`~chaingraph.exports.html`: interactive pages that work offline.

Exports take results (and the graph they describe), never a store.
"""
