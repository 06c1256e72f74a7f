"""Start and stop a throw-away Neo4j Community server for the ``db`` tests.

tests/neo4j holds a Maven project: one class that starts embedded Neo4j 5.26
(``org.neo4j:neo4j``, with ``neo4j-bolt``) from Maven Central, Bolt on
127.0.0.1 only, auth on, and prints ``ready`` once Bolt accepts connections
(tests/neo4j/src/main/java/chaingraph/test/Neo4jTestServer.java).
:meth:`Neo4jServer.start` builds its jar once when it is missing (``mvn -o``
first, then online; ``.ci/build-neo4j`` builds it ahead) and runs it with Java
17 on a free port. Data lives in a temporary folder, so :meth:`Neo4jServer.kill`
followed by :meth:`Neo4jServer.start` simulates a crash and a restart.

The first start on a new folder takes a while (the system database is created
and the Cypher planner warms up); later starts on the same folder are quicker.

Run it by hand with ``python -m tests.neo4j_server`` to get a server until
Ctrl-C.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

try:  # pytest puts tests/ on sys.path (rootdir conftest); python -m tests.neo4j_server does not
    from falkordb_server import free_port
except ImportError:  # pragma: no cover - manual use
    from tests.falkordb_server import free_port

__all__ = ["JAR", "LOAD_JVM_OPTIONS", "Neo4jServer", "build_jar", "find_java"]

PROJECT = Path(__file__).resolve().parent / "neo4j"
POM = PROJECT / "pom.xml"
JAR = PROJECT / "target" / "neo4j-test-server.jar"
JAVA_17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
#: JVM flags of a load server (``quick=False``), after the ``server.jvm.additional`` lines of the
#: neo4j.conf that Neo4j 5 ships, besides ``-Xms`` equal to ``-Xmx``: a heap that starts small keeps
#: being collected in full while a load grows it (measured in benchmarks/results.md).
LOAD_JVM_OPTIONS = ("-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-XX:+AlwaysPreTouch",
                    "-XX:+UnlockExperimentalVMOptions", "-XX:+TrustFinalNonStaticFields",
                    "-XX:+DisableExplicitGC", "-Djdk.nio.maxCachedBufferSize=1024",
                    "-Dio.netty.tryReflectionSetAccessible=true")


def find_java() -> str:
    """``$CHAINGRAPH_NEO4J_JAVA``, else Debian's OpenJDK 17, else ``$JAVA_HOME/bin/java``, else ``java``.

    Neo4j 5.26 runs on Java 17 and 21; Java 17 is preferred because the jar is built for it.
    """
    if os.environ.get("CHAINGRAPH_NEO4J_JAVA"):
        return os.environ["CHAINGRAPH_NEO4J_JAVA"]
    if JAVA_17.exists():
        return str(JAVA_17)
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        msg = "the Neo4j tests need Java 17 or 21 (apt-get install openjdk-17-jre-headless)"
        raise RuntimeError(msg)
    return java


def build_jar(*, force: bool = False) -> Path:
    """Build tests/neo4j/target/neo4j-test-server.jar if missing (offline first, then from Maven Central).

    A lock file keeps parallel test processes from building it twice.
    """
    lib = JAR.parent / "lib"
    if not force and JAR.exists() and lib.is_dir():
        return JAR
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = f"{JAR} is missing and Maven is not installed (apt-get install maven, then .ci/build-neo4j)"
        raise RuntimeError(msg)
    JAR.parent.mkdir(parents=True, exist_ok=True)
    with open(JAR.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and JAR.exists() and lib.is_dir():
            return JAR
        base = [mvn, "-q", "-B", "-f", str(POM), "package", "-DskipTests"]
        offline = subprocess.run([*base[:1], "-o", *base[1:]], capture_output=True, text=True, check=False)
        if offline.returncode != 0:
            online = subprocess.run(base, capture_output=True, text=True, check=False)
            if online.returncode != 0:
                tail = "\n".join((online.stdout + online.stderr).splitlines()[-30:])
                msg = f"building {JAR} failed (mvn exit {online.returncode}):\n{tail}"
                raise RuntimeError(msg)
        for stale in JAR.parent.glob("*.jsa"):  # class-data archives of the jar before
            stale.unlink()
    return JAR


def _class_archive(java: str, quick: bool = True) -> Path:
    """The AppCDS archive for this jar, this ``java`` and its flags (Java checks the jar's time stamp
    itself); test and load servers run other collectors, so each keeps its own archive."""
    tag = hashlib.sha1(str(Path(java).resolve()).encode()).hexdigest()[:8] + ("" if quick else "-load")
    return JAR.parent / f"neo4j-test-server-{tag}.jsa"


class Neo4jServer:
    """One embedded Neo4j Community 5.26 with Bolt on 127.0.0.1.

    Parameters
    ----------
    directory
        Neo4j's home: databases, transaction logs and logs (a new temporary
        folder when ``None``; removed by :meth:`cleanup`).
    password
        The password of user ``neo4j`` (any length; wrong passwords never lock it).
    heap, pagecache
        JVM heap (``-Xmx``) and page cache size, small for a 2-core test machine.
    quick
        Only the C1 JIT compiler (``-XX:TieredStopAtLevel=1``) and the serial collector:
        starts on half the CPU time, which is what a test server needs. ``False`` gives a
        load server: the JVM flags of :data:`LOAD_JVM_OPTIONS` (what Neo4j's own
        ``neo4j.conf`` sets: full JIT, the whole heap reserved from the start), for
        benchmarks (benchmarks/neo4j_load.py).
    """

    user = "neo4j"

    def __init__(self, directory: str | Path | None = None, *, password: str = "chaingraph-test",
                 heap: str = "1g", pagecache: str = "256m", quick: bool = True) -> None:
        self._own_dir = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="chaingraph-neo4j-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.heap = heap
        self.pagecache = pagecache
        self.quick = quick
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._dumping: tuple[Path, Path] | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def env(self) -> dict[str, str]:
        """What chaingraph reads for credentials: ``NEO4J_USER`` and ``NEO4J_PASSWORD``."""
        return {"NEO4J_USER": self.user, "NEO4J_PASSWORD": self.password}

    @property
    def log_path(self) -> Path:
        """stdout and stderr of the JVM (Neo4j's own log is ``logs/debug.log`` in the folder)."""
        return self.directory / "server.log"

    def start(self, *, timeout: float = 240.0) -> Neo4jServer:
        """Start the server (again, on the same port and data) and wait for its ``ready`` line."""
        if self.process is not None and self.process.poll() is None:
            return self
        jar = build_jar()
        java = find_java()
        args = [java, f"-Xmx{self.heap}", "-XX:+ExitOnOutOfMemoryError"]
        if self.quick:
            # C1 only: half the CPU to start, and the test queries are small; the serial collector
            # has the smallest footprint
            args += ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
        else:
            args += [f"-Xms{self.heap}", *LOAD_JVM_OPTIONS]
        archive = _class_archive(java, self.quick)
        self._dumping = None
        if archive.exists():
            args.append(f"-XX:SharedArchiveFile={archive}")
        else:
            # this run writes the class-data archive when it stops; later starts load it (half the start time)
            self._dumping = (archive.with_name(f"{archive.name}.{os.getpid()}.{self.port}.tmp"), archive)
            args.append(f"-XX:ArchiveClassesAtExit={self._dumping[0]}")
        args += ["-jar", str(jar), str(self.port), str(self.directory)]
        env = {**os.environ, "NEO4J_PASSWORD": self.password, "NEO4J_TEST_PAGECACHE": self.pagecache}
        with open(self.log_path, "ab") as log:
            offset = log.tell()
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env)
        started = time.monotonic()
        output = self._wait_ready(offset, timeout)
        self._answer_first_query(timeout - (time.monotonic() - started))
        if b"Unable to use shared archive" in output:  # another Java or a rebuilt jar: make a new one
            archive.unlink(missing_ok=True)
        return self

    def _wait_ready(self, offset: int, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                output = log.read()
            if b"ready" in output.splitlines():
                return output
            if self.process is None or self.process.poll() is not None:
                break
            time.sleep(0.1)
        code = self.process.poll() if self.process is not None else None
        self.stop()
        state = f"exited with {code}" if code is not None else f"not ready after {timeout:.0f} s"
        msg = f"Neo4j on 127.0.0.1:{self.port} {state}; log tail:\n{self.log_tail()}"
        raise RuntimeError(msg)

    def _answer_first_query(self, timeout: float) -> None:
        """Wait until a Bolt query is answered: after a crash, or on a busy machine, the first one can take
        many seconds (recovery, cold JIT), longer than chaingraph's short handshake timeouts."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        deadline = time.monotonic() + max(timeout, 30.0)
        while True:
            try:
                with GraphDatabase.driver(self.uri, auth=self.auth, connection_timeout=30.0) as driver:
                    driver.execute_query("RETURN 1")
                return
            except (DriverError, Neo4jError, OSError):
                if time.monotonic() > deadline or not self.alive():
                    raise
                time.sleep(0.5)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the JVM's output and of Neo4j's debug.log."""
        parts = []
        for path in (self.log_path, self.directory / "logs" / "debug.log"):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"== {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would (committed transactions stay on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None
        self._keep_archive()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server (SIGTERM: a clean shutdown with a checkpoint; SIGKILL after ``timeout``)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        self._keep_archive()

    def _keep_archive(self) -> None:
        """Move the class-data archive this run wrote at exit (if any) into place."""
        if self._dumping is None:
            return
        dumped, archive = self._dumping
        self._dumping = None
        if dumped.exists():
            if dumped.stat().st_size > 0:
                dumped.replace(archive)
            else:
                dumped.unlink()

    def cleanup(self) -> None:
        """Stop the server and remove its folder if this object made it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def neo4j_admin(self, *args: str, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
        """Run ``neo4j-admin ARGS`` on this server's folder (stop the server first for an import).

        The tool is ``org.neo4j.cli.AdminTool`` from the jars the server already uses (neo4j-import-tool
        comes with ``org.neo4j:neo4j``); ``NEO4J_HOME`` is the server's folder, so ``database import
        full`` writes ``data/databases/NAME`` where the server finds it.
        """
        conf = self.directory / "conf"
        conf.mkdir(exist_ok=True)
        (conf / "neo4j.conf").touch()
        env = {**os.environ, "NEO4J_HOME": str(self.directory), "NEO4J_CONF": str(conf)}
        cmd = [find_java(), "-Xmx512m", "-XX:+UseSerialGC", "-cp", f"{JAR.parent / 'lib'}/*", "org.neo4j.cli.AdminTool",
               *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=self.directory, timeout=timeout,
                              check=False)

    def driver(self):
        """A ``neo4j`` driver logged in as ``neo4j``; close it (or use ``with``)."""
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.uri, auth=self.auth)

    def wipe(self, *, schema: bool = True) -> None:
        """Delete every node and relationship (in batches), and with ``schema`` every constraint and index."""
        with self.driver() as driver, driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            if schema:
                for record in list(session.run("SHOW CONSTRAINTS YIELD name")):
                    session.run(f"DROP CONSTRAINT `{record['name']}` IF EXISTS").consume()
                for record in list(session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
                    session.run(f"DROP INDEX `{record['name']}` IF EXISTS").consume()

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


if __name__ == "__main__":  # pragma: no cover - manual use
    import sys

    # stop cleanly on SIGTERM too, and on Ctrl-C even when started in the background (SIGINT ignored)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with Neo4jServer(os.environ.get("CHAINGRAPH_NEO4J_DIR"),
                     password=os.environ.get("NEO4J_PASSWORD", "chaingraph-test")) as server:
        print(f"bolt:     {server.uri}\nuser:     {server.user}\npassword: {server.password}\n"
              f"folder:   {server.directory}\n"
              f"env:      NEO4J_USER={server.user} NEO4J_PASSWORD='{server.password}'\nCtrl-C stops it.", flush=True)
        try:
            while server.alive():
                time.sleep(1)
        except KeyboardInterrupt:
            pass
