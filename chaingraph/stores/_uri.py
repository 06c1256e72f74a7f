"""Database URIs: which schemes chaingraph takes, parsed once, and a URI fit to show.

A *Bolt* URI (``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://``, ``+ssc``
for a self-signed certificate) goes to the ``neo4j`` driver; a *FalkorDB* URI
(``falkordb://host:port[/graph]`` or ``redis://``) to the ``falkordb`` client.

*Userinfo* is the ``user:password@`` part of a URI. :func:`parse_uri` splits it off
once: the drivers get the URI without it (:attr:`DatabaseURI.bare`) and the
credentials separately, and messages show :func:`redact_uri`'s form, which keeps
the user and replaces the password with ``***``, even for a URI too malformed
to parse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from chaingraph.errors import StoreError

__all__ = ["BOLT_SCHEMES", "FALKORDB_SCHEMES", "DATABASE_SCHEMES", "DatabaseURI", "parse_uri", "check_uri",
           "redact_uri"]

BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
FALKORDB_SCHEMES = ("falkordb", "redis")
DATABASE_SCHEMES = BOLT_SCHEMES + FALKORDB_SCHEMES


def redact_uri(uri: str) -> str:
    """``uri`` with its password replaced by ``***`` (the user stays), for messages and logs.

    Works on the text alone, so a URI that does not parse is redacted too. Everything up to the last
    ``@`` after the scheme counts as userinfo (a path with an ``@`` is over-redacted, never leaked).

    Examples
    --------
    >>> redact_uri("bolt://neo4j:secret@db.example:7687")
    'bolt://neo4j:***@db.example:7687'
    >>> redact_uri("falkordb://:secret@/g"), redact_uri("bolt://u:secret@[::1")
    ('falkordb://:***@/g', 'bolt://u:***@[::1')
    >>> redact_uri("bolt://neo4j@db.example"), redact_uri("falkordb://db.example:6379/g")
    ('bolt://neo4j@db.example', 'falkordb://db.example:6379/g')
    """
    scheme, sep, rest = str(uri).partition("://")
    if not sep:
        scheme, sep, rest = str(uri).partition(":/")  # a URI whose "//" a path normalisation folded
    if not sep or "@" not in rest:
        return str(uri)
    userinfo, _, host = rest.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}{sep}{user}{':***' if colon else ''}@{host}"


@dataclass(frozen=True)
class DatabaseURI:
    """A database URI split once: what the drivers get, the credentials, and what messages show."""

    scheme: str
    #: The URI without userinfo: the only form handed to a driver.
    bare: str
    #: The URI as messages and logs show it (:func:`redact_uri`).
    shown: str
    host: str | None
    port: int | None
    path: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def is_bolt(self) -> bool:
        """Whether the ``neo4j`` driver serves this URI."""
        return self.scheme in BOLT_SCHEMES


def parse_uri(uri: str) -> DatabaseURI:
    """Split a database URI into the parts chaingraph uses, checking its scheme, host and port.

    Raises
    ------
    StoreError
        For another scheme (naming the ones to use) or a malformed host or port; the message shows
        the URI redacted.

    Examples
    --------
    >>> u = parse_uri("bolt://neo4j:p%40ss@db.example:7687")
    >>> u.bare, u.user, u.password, u.port
    ('bolt://db.example:7687', 'neo4j', 'p@ss', 7687)
    """
    uri = str(uri)
    shown = redact_uri(uri)
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme not in DATABASE_SCHEMES:
        key = "store.scheme.http" if scheme in ("http", "https") else "store.scheme"
        raise StoreError(key=key, uri=shown)
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        # urllib's reason names the bad port or the IPv6 host, never the userinfo
        raise StoreError(key="store.malformed", uri=shown, reason=str(exc)) from None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    # by hand: urllib drops the "//" of an empty host (falkordb://:PW@/g would become falkordb:/g)
    bare = f"{parts.scheme}://{hostport}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return DatabaseURI(scheme=scheme, bare=bare, shown=shown, host=parts.hostname, port=port, path=parts.path,
                       user=unquote(user) if at and user else None,
                       password=unquote(password) if at and colon else None)


def check_uri(uri: str) -> str:
    """The scheme of a database URI chaingraph can use.

    Raises
    ------
    StoreError
        For any other URI, naming the schemes to use, or a malformed one.

    Examples
    --------
    >>> check_uri("bolt+s://db.example:7687")
    'bolt+s'
    """
    return parse_uri(uri).scheme
