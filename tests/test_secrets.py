"""No password ever reaches a terminal or a log (issue 15, item 3).

Every command that takes a database URI runs with a marker password in the URI, in the
environment (``NEO4J_PASSWORD``, ``FALKORDB_PASSWORD``) and typed at the prompt, against a server
that is down, one that refuses the password, the wrong scheme, a TLS mismatch and malformed hosts,
and once against a FalkorDB whose password is the marker (so the commands succeed). The marker must
appear nowhere: not in stdout, stderr, any log record (every logger at DEBUG, the drivers' too) or
the exception the command ended with.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from falkordb_server import FalkorDBServer, free_port

from chaingraph.cli import cli
from chaingraph.stores._uri import parse_uri, redact_uri

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"
PIPELINE = ROOT / "tests" / "data" / "pipeline"
MARKER = "Mk7pW0rd"


def commands(uri: str, tmp: Path) -> list[list[str]]:
    """Every command that takes a database URI."""
    return [
        ["load", str(PIPELINE), "--to", uri, "--silent", "--batch-size", "20"],
        ["info", uri],
        ["gaps", uri],
        ["targets", uri],
        ["plan", uri, "--budget", "2"],
        ["html", uri, "--chain-map", "-o", str(tmp / "map.html")],
        ["pipeline", uri],
        ["project", "set", uri, "p5", "--stage", "registered", "--date", "2024-01-15"],
    ]


def run_all(uris: list[str], tmp: Path, caplog, *, prompt: bool = False) -> list[int]:
    """Run every command on every URI; fail on any sight of the marker. The exit codes."""
    codes = []
    for uri in uris:
        for args in commands(uri, tmp):
            if prompt and args[0] == "load":
                args = [*args, "--user", "neo4j"]
            caplog.clear()
            result = CliRunner().invoke(cli, args, input=f"{MARKER}\n" if prompt else None)
            seen = {"stdout": result.stdout, "stderr": result.stderr, "log": caplog.text,
                    "records": " ".join(str(r.args) for r in caplog.records),
                    "exception": repr(result.exception) if result.exception else ""}
            for where, text in seen.items():
                assert MARKER not in text, (args, where, text)
            assert "Traceback" not in result.output, (args, result.output)
            assert result.exit_code in (0, 1), (args, result.output, result.exception)
            codes.append(result.exit_code)
    return codes


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: chaingraph's, the neo4j driver's, redis'
    return caplog


def test_redact_uri_without_a_host():
    """The issue's case: ``redact_uri`` returned a URI without a hostname unchanged."""
    assert redact_uri(f"falkordb://:{MARKER}@/g") == "falkordb://:***@/g"
    assert redact_uri(f"bolt://neo4j:{MARKER}@[::1") == "bolt://neo4j:***@[::1"
    assert redact_uri(f"bolt://neo4j:{MARKER}@host:7687") == "bolt://neo4j:***@host:7687"
    parsed = parse_uri(f"bolt://neo4j:{MARKER}@db:7687/?x=1")
    assert (parsed.bare, parsed.user, parsed.password) == ("bolt://db:7687/?x=1", "neo4j", MARKER)
    assert MARKER not in repr(parsed)


def test_no_server_needed(tmp_path, debug_logs, monkeypatch):
    """Server down, wrong scheme, malformed hosts; the marker also in both password variables."""
    monkeypatch.setenv("NEO4J_PASSWORD", MARKER)
    monkeypatch.setenv("FALKORDB_PASSWORD", MARKER)
    down = free_port()
    uris = [
        f"bolt://neo4j:{MARKER}@127.0.0.1:{down}", f"neo4j://neo4j:{MARKER}@127.0.0.1:{down}",
        f"bolt+s://neo4j:{MARKER}@127.0.0.1:{down}", f"falkordb://:{MARKER}@127.0.0.1:{down}/g",
        f"redis://default:{MARKER}@127.0.0.1:{down}",
        f"http://u:{MARKER}@localhost:7474", f"mongodb://u:{MARKER}@localhost", f"http:/u:{MARKER}@host:7474",
        f"bolt://u:{MARKER}@[::1", f"neo4j+s://u:{MARKER}@[::1:7687", f"bolt://u:{MARKER}@host:notaport",
        f"redis://u:{MARKER}@[::1]:99999/g", f"bolt://u:{MARKER}@", f"falkordb://:{MARKER}@:{down}/g",
        f"bolt://u:{MARKER}@[::1]:{down}",
    ]
    assert set(run_all(uris, tmp_path, debug_logs)) == {1}
    monkeypatch.delenv("NEO4J_PASSWORD")
    assert set(run_all([f"bolt://127.0.0.1:{down}"], tmp_path, debug_logs, prompt=True)) == {1}


@pytest.mark.db
def test_against_a_server(tmp_path, debug_logs, monkeypatch):
    """A FalkorDB whose password is the marker: right and wrong passwords in the URI and in
    FALKORDB_PASSWORD, its Bolt port with the marker as NEO4J_PASSWORD and at the prompt, TLS to a
    plain port, the wrong transport for each port. The right password works, with the hint."""
    with FalkorDBServer(tmp_path / "srv", password=MARKER, persistence=None) as srv:
        port, bolt = srv.port, srv.bolt_port
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
        monkeypatch.delenv("FALKORDB_PASSWORD", raising=False)
        right = f"falkordb://:{MARKER}@127.0.0.1:{port}"
        codes = run_all([right], tmp_path, debug_logs)
        assert codes == [0] * len(codes)
        hint = CliRunner().invoke(cli, ["info", right, "--lang", "en"])
        assert hint.stderr.startswith("hint: a password in the URI stays in shell history and process lists; "
                                      "set FALKORDB_PASSWORD\n")
        wrong = [f"falkordb://:{MARKER}x@127.0.0.1:{port}", f"redis://default:x{MARKER}@127.0.0.1:{port}/g",
                 f"bolt+s://neo4j:{MARKER}@127.0.0.1:{bolt}", f"bolt+ssc://neo4j:{MARKER}@127.0.0.1:{bolt}",
                 f"neo4j+s://neo4j:{MARKER}@127.0.0.1:{bolt}", f"falkordb://:{MARKER}@127.0.0.1:{bolt}",
                 f"bolt://neo4j:{MARKER}@127.0.0.1:{port}", f"bolt://neo4j:{MARKER}@127.0.0.1:{bolt}"]
        assert set(run_all(wrong, tmp_path, debug_logs)) == {1}
        monkeypatch.setenv("FALKORDB_PASSWORD", MARKER + "x")
        monkeypatch.setenv("NEO4J_PASSWORD", MARKER)
        assert set(run_all([f"falkordb://127.0.0.1:{port}", f"bolt://127.0.0.1:{bolt}"], tmp_path,
                           debug_logs)) == {1}
        monkeypatch.delenv("NEO4J_PASSWORD")
        # FalkorDB's Bolt endpoint refuses a logged-in load; the reads, without credentials, work
        codes = run_all([f"bolt://127.0.0.1:{bolt}", f"bolt+s://127.0.0.1:{bolt}"], tmp_path, debug_logs, prompt=True)
        assert codes[0] == 1 and set(codes[8:]) == {1}
