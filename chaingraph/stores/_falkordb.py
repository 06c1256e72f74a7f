"""The FalkorDB transport: the ``falkordb`` client over RESP, with no message size limit.

It serves ``falkordb://host:port[/graph]`` and ``redis://host:port[/graph]``. The
graph defaults to :data:`DEFAULT_FALKORDB_GRAPH`, the one FalkorDB's Bolt endpoint
serves, so both transports see the same data. Replies are read in FalkorDB's
compact form and decoded here for the few types the statements return.
"""
from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import unquote, urlsplit

from chaingraph.errors import StoreError
from chaingraph.stores._uri import redact_uri

__all__ = ["FalkorTransport", "falkordb_error", "DEFAULT_FALKORDB_GRAPH"]

DEFAULT_FALKORDB_GRAPH = "falkordb"


def falkordb_error(exc: Exception, uri: str) -> StoreError:
    shown = redact_uri(uri)
    text = str(exc)
    name = type(exc).__name__
    if name in ("AuthenticationError", "AuthenticationWrongNumberOfArgsError") or "NOAUTH" in text \
            or "WRONGPASS" in text or "invalid password" in text.lower() or "invalid username" in text.lower():
        return StoreError(key="store.falkordb.auth", uri=shown)
    if name in ("ConnectionError", "TimeoutError") or isinstance(exc, OSError):
        return StoreError(key="store.falkordb.unreachable", uri=shown)
    if "unknown command" in text.lower():
        return StoreError(key="store.falkordb.redis", uri=shown)
    # the server's own words are passed on as they are, on one line
    return StoreError(key="store.falkordb.query", uri=shown, detail=(text.splitlines() or [name])[0] or name)


def _resp_probe(uri: str, host: str, port: int, timeout: float = 5.0) -> None:
    """Check that ``host:port`` answers PING the way Redis does, before the client waits on it forever."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except socket.timeout:
        reply = b""
    except OSError as exc:
        raise falkordb_error(exc, uri) from exc
    if not reply.startswith((b"+", b"-")):
        raise StoreError(key="store.falkordb.not_resp", uri=redact_uri(uri), host=host, port=port)


class FalkorTransport:
    """The falkordb client (RESP): FalkorDB's fast path, with no message size limit."""

    protocol = "falkordb"
    kind = "falkordb"
    max_message: int | None = None

    def __init__(self, uri: str, *, user: str | None, password: str | None, graph: str | None) -> None:
        try:
            import falkordb
            import redis
        except ImportError as exc:
            raise StoreError(key="store.no_falkordb_client") from exc
        self._redis = redis
        self.uri = uri
        parts = urlsplit(uri)
        try:
            port = parts.port or 6379
        except ValueError as exc:
            raise StoreError(key="store.falkordb.port", uri=redact_uri(uri)) from exc
        path_graph = unquote(parts.path.strip("/"))
        self.graph_name = graph or path_graph or DEFAULT_FALKORDB_GRAPH
        username = user if user is not None else (unquote(parts.username) if parts.username else None)
        if password is None:
            password = unquote(parts.password) if parts.password else os.environ.get("FALKORDB_PASSWORD")
        _resp_probe(uri, parts.hostname or "127.0.0.1", port)
        try:
            self.db = falkordb.FalkorDB(host=parts.hostname or "127.0.0.1", port=port, username=username,
                                        password=password, socket_connect_timeout=5)
            self.db.connection.ping()
            self.db.connection.execute_command("GRAPH.LIST")
        except (redis.RedisError, OSError) as exc:
            raise falkordb_error(exc, uri) from exc
        self.graph = self.db.select_graph(self.graph_name)

    def exists(self) -> bool:
        """Whether the graph exists (FalkorDB refuses reads of a graph never written)."""
        try:
            return self.graph_name in self.db.list_graphs()
        except (self._redis.RedisError, OSError) as exc:
            raise falkordb_error(exc, self.uri) from exc

    def run(self, name: str, text: str, params: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        # The falkordb client's QueryResult decodes every cell through a generic dispatch;
        # decoding the compact reply here, for the few types the statements return, takes
        # a third of the time on the tens of thousands of rows a context holds.
        try:
            if not write and not self.exists():
                return []
            query = (self._params_header(params) if params else "") + text
            reply = self.db.connection.execute_command("GRAPH.QUERY" if write else "GRAPH.RO_QUERY",
                                                       self.graph_name, query, "--compact")
        except (self._redis.RedisError, OSError) as exc:
            raise falkordb_error(exc, self.uri) from exc
        for part in reply:
            if isinstance(part, Exception):
                raise falkordb_error(part, self.uri)
        if len(reply) < 3:
            return []
        columns = [h[1] for h in reply[0]]
        value = self._value
        return [dict(zip(columns, [value(cell) for cell in row])) for row in reply[1]]

    def _params_header(self, params: dict[str, Any]) -> str:
        r"""``CYPHER k=v ...``: the parameters as Cypher literals, the way FalkorDB's protocol takes them.

        A list is written by :func:`json.dumps`, which is C code, and JSON reads as the same Cypher
        literal: the client's own writer, one Python call per value, took a third of the client's CPU
        in a million-firm load. Where the two differ, the client's writer is used: a map (JSON would
        quote its keys: the text holds ``{"``), a control character other than ``\n``, ``\t``, ``\r``,
        ``\b`` and ``\f`` (JSON writes ``\uXXXX``, which FalkorDB does not read: the text holds
        ``\u``), a NaN or an infinity (JSON cannot write them). A string holding ``{"`` or ``\u``
        itself takes that path too, which costs only time.
        """
        header = ["CYPHER "]
        for key, value in params.items():
            literal = None
            if isinstance(value, list):
                try:
                    literal = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                except (TypeError, ValueError):
                    literal = None
                if literal is not None and ("{" + '"' in literal or "{}" in literal or "\\u" in literal):
                    literal = None
            header.append(f"`{key}`={literal} " if literal is not None
                          else self.graph._build_params_header({key: value})[len("CYPHER "):])
        return "".join(header)

    def _value(self, cell: list[Any]) -> Any:
        """A value of FalkorDB's compact reply: ``[type, value]``."""
        kind, raw = cell
        if kind == 2 or kind == 3:  # string, integer
            return raw
        if kind == 1:  # null
            return None
        if kind == 5:  # double
            return float(raw)
        if kind == 4:  # boolean
            return raw == "true" or raw is True
        if kind == 6:  # array
            return [self._value(c) for c in raw]
        from falkordb.query_result import parse_scalar  # maps, nodes and the rest

        return parse_scalar(cell, self.graph)

    def close(self) -> None:
        try:
            self.db.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            pass

