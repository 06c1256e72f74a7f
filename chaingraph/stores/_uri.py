"""Database URIs: which schemes chaingraph takes, and a URI fit to show (no user, no password).

A *Bolt* URI (``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://``, ``+ssc``
for a self-signed certificate) goes to the ``neo4j`` driver; a *FalkorDB* URI
(``falkordb://host:port[/graph]`` or ``redis://``) to the ``falkordb`` client.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from chaingraph.errors import StoreError, redact

__all__ = ["BOLT_SCHEMES", "FALKORDB_SCHEMES", "DATABASE_SCHEMES", "check_uri", "redact_uri"]

BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
FALKORDB_SCHEMES = ("falkordb", "redis")
DATABASE_SCHEMES = BOLT_SCHEMES + FALKORDB_SCHEMES


def redact_uri(uri: str) -> str:
    """``uri`` without user and password, for messages.

    Examples
    --------
    >>> redact_uri("falkordb://:secret@db.example:6379/g")
    'falkordb://db.example:6379/g'
    """
    parts = urlsplit(uri)
    if parts.hostname is None or "@" not in parts.netloc:
        return uri
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host).geturl()


def check_uri(uri: str) -> str:
    """The scheme of a database URI chaingraph can use.

    Raises
    ------
    StoreError
        For any other URI, naming the schemes to use.

    Examples
    --------
    >>> check_uri("bolt+s://db.example:7687")
    'bolt+s'
    """
    try:
        urlsplit(uri).port
    except ValueError as exc:
        msg = (f"malformed database URI {redact(uri)!r} ({exc}): write it as SCHEME://HOST:PORT, "
               "an IPv6 host in brackets (bolt://[::1]:7687)")
        raise StoreError(msg) from None
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme in BOLT_SCHEMES or scheme in FALKORDB_SCHEMES:
        return scheme
    hint = " (7474 is Neo4j's browser port; Bolt listens on 7687)" if scheme in ("http", "https") else ""
    msg = (f"unsupported database URI {redact_uri(uri)!r}{hint}: use neo4j://, neo4j+s://, bolt:// or bolt+s:// "
           "for Neo4j, or falkordb://HOST:PORT[/GRAPH] for FalkorDB")
    raise StoreError(msg)

