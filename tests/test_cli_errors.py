"""Every exit path of the CLI (issue 15): whatever goes wrong, one ``Error:`` line, exit 1, no traceback
(unless ``CHAINGRAPH_DEBUG=1``) and no password from a URI."""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph import jobs
from chaingraph.cli import cli
from chaingraph.errors import redact

TINY = str(Path(__file__).parent / "data" / "tiny")
SECRET = "S3cr3t-marker"


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env={"CHAINGRAPH_DEBUG": "", "CHAINGRAPH_LANG": "en", **(env or {})})
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    return result


def one_error(result) -> str:
    """The single ``Error:`` line of a failed run (exit 1, not a traceback: SystemExit only)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith(("Error: ", "错误："))]
    assert len(lines) == 1, result.output
    return lines[0]


def test_output_onto_a_folder(tmp_path):
    """-o onto a folder used to end in an IsADirectoryError traceback (the output paths of branch deliver
    now catch it first; this checks no traceback slips through)."""
    (tmp_path / "out").mkdir()
    line = one_error(run("gaps", TINY, "--anchor", "lanjun", "-o", str(tmp_path / "out")))
    assert line.startswith(f"Error: cannot write {tmp_path / 'out'}: it is a folder")


def test_os_error_anywhere_is_one_line(monkeypatch):
    """An OS error the command did not expect (here a full disk) names the file and the reason."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/cache.bin")

    monkeypatch.setattr(jobs, "gap_report", full)
    line = one_error(run("gaps", TINY, "--anchor", "lanjun"))
    assert line == ("Error: /data/cache.bin: No space left on device; check the path (a file cannot replace a "
                    "folder) and the permissions")
    line = one_error(run("gaps", TINY, "--anchor", "lanjun", "--lang", "zh"))
    assert line == "错误：/data/cache.bin：No space left on device；请检查路径（文件夹不能被文件覆盖）和权限"


def test_permission_error_on_write(tmp_path, monkeypatch):
    def denied(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", denied)
    monkeypatch.setattr(Path, "write_bytes", denied)
    line = one_error(run("gaps", TINY, "--anchor", "lanjun", "-o", str(tmp_path / "g.txt")))
    assert line.startswith(f"Error: cannot write {tmp_path / 'g.txt'}")


def test_failed_html_write_leaves_no_temp_file(tmp_path, monkeypatch):
    """A failed rename used to leave X.html.tmp behind."""
    def broken(self, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link", str(self), str(target))

    monkeypatch.setattr(Path, "replace", broken)
    line = one_error(run("html", TINY, "--anchor", "lanjun", "-o", str(tmp_path / "page.html")))
    assert "Invalid cross-device link" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [
    ["info", "bolt://[::1"],
    ["gaps", f"bolt://neo4j:{SECRET}@[::1", "--anchor", "x"],
    ["load", TINY, "--to", "bolt://[::1"],
    ["load", TINY, "--to", f"neo4j://u:{SECRET}@[fe80::1"],
])
def test_malformed_ipv6_uri(args):
    """Used to end in a ValueError traceback (Invalid IPv6 URL)."""
    line = one_error(run(*args, env={"NEO4J_PASSWORD": "x"}))
    assert re.fullmatch(r"Error: malformed database URI '.*' \(Invalid IPv6 URL\): write it as SCHEME://HOST:PORT, "
                        r"an IPv6 host in brackets \(bolt://\[::1\]:7687\)", line), line


@pytest.mark.parametrize("command", ["info", "validate", "gaps", "targets", "html"])
def test_http_uri_with_password_is_never_echoed(command):
    """``info 'http://u:PW@host:7474'`` used to be taken for a folder and echoed with the password."""
    extra = ["-o", "x.html", "--chain-map"] if command == "html" else []
    result = run(command, f"http://u:{SECRET}@host:7474", *extra)
    assert result.exit_code == 1
    assert "host:7474" in result.output


def test_unexpected_exception_is_one_redacted_line(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError(f"bolt://neo4j:{SECRET}@db:7687 went away\nsecond line")

    monkeypatch.setattr(jobs, "gap_report", boom)
    line = one_error(run("gaps", TINY, "--anchor", "lanjun"))
    assert line == ("Error: unexpected RuntimeError: bolt://neo4j:***@db:7687 went away (set CHAINGRAPH_DEBUG=1 "
                    "to see the traceback; please report it)")


def test_chaingraph_debug_shows_the_exception(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "gap_report", boom)
    result = CliRunner().invoke(cli, ["gaps", TINY, "--anchor", "lanjun"], env={"CHAINGRAPH_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)


def test_usage_errors_still_exit_2():
    assert run("targets", TINY, "--format", "xlsx").exit_code == 2
    assert run("validate", TINY, "--max-file-size", "lots").exit_code == 2


def test_max_file_size_option(tmp_path):
    line = one_error(run("validate", TINY, "--max-file-size", "100"))
    assert line == "Error: 4 problems found; nothing was loaded"
    result = run("validate", TINY, "--max-file-size", "100")
    assert "firms.csv: the file is larger than the limit of 100 bytes" in result.output
    assert run("validate", TINY, "--max-file-size", "1K").exit_code == 0
    assert run("gaps", TINY, "--anchor", "lanjun", "--max-file-size", "100").exit_code == 1
    assert run("info", TINY, "--max-file-size", "1M").exit_code == 0


def test_no_advice_to_run_with_v():
    """There is no -v option; messages point at CHAINGRAPH_DEBUG=1 instead."""
    root = Path(__file__).parent.parent / "chaingraph"
    offenders = [str(p) for p in root.rglob("*.py") if "run with -v" in p.read_text(encoding="utf-8")]
    assert offenders == []


@pytest.mark.parametrize("text, expected", [
    ("bolt://neo4j:pw@db:7687", "bolt://neo4j:***@db:7687"),
    ("falkordb://:pw@/g", "falkordb://:***@/g"),
    ("'neo4j+s://u:p@ss/w@db'", "'neo4j+s://u:***@db'"),  # a password holding @ and /
    ("http:/u:pw@host:7474: no such folder", "http:/u:***@host:7474: no such folder"),
    ("bolt://neo4j@db:7687 and /tmp/a@b", "bolt://neo4j@db:7687 and /tmp/a@b"),
    ("no uri here: a:b@c", "no uri here: a:b@c"),
])
def test_redact(text, expected):
    assert redact(text) == expected


def test_debug_is_documented():
    root = Path(__file__).parent.parent
    assert "CHAINGRAPH_DEBUG=1" in (root / "README.md").read_text(encoding="utf-8")
    assert "--max-file-size" in (root / "docs" / "dataset-format.md").read_text(encoding="utf-8")
    assert os.environ.get("CHAINGRAPH_DEBUG") in (None, "", "0", "1")
