"""Analyses: pure functions on networkx graphs.

* :mod:`~chaingraph.analyses.gaps`: the chain around an anchor, segment by
  segment: missing (補鏈), weak (強鏈) or an extension (延鏈).
* :mod:`~chaingraph.analyses.targets`: firms elsewhere that fill those gaps,
  ranked with every score explained, and a portfolio plan under quotas.

They take graphs (and, optionally, a store that counts candidates faster, see
:class:`chaingraph.model.CandidateSource`) and return plain results. They never
print, read files or open connections.
"""
