"""Writing cells and files safely: the one cell rule for every CSV and XLSX file, and output paths.

Cell rule
---------
Recruiters open our lists in Excel and WPS, which run a cell that starts with
``=``, ``+``, ``-`` or ``@`` (and, after a tab or carriage return, the same) as
a formula. :func:`cell_value` is the one function every CSV and XLSX cell goes
through:

* numbers stay numbers (a negative number is a number, not a formula);
* a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is written as
  text: in CSV it gets a leading ``'`` as OWASP advises (Excel shows the text
  and hides the quote), in XLSX it is a string cell, never a formula;
* characters that XML 1.0 forbids (C0 controls other than tab, CR and LF) are
  replaced by U+FFFD, so a workbook always opens.

Files
-----
Every CSV written to a file starts with a UTF-8 BOM (Chinese Excel needs it to
read UTF-8), or is GB18030 when asked for old Excel; CSV on stdout has no BOM,
since it is usually read by another program. :func:`prepare_output` creates
missing folders and turns an unwritable path into a :class:`ChainGraphError`.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from chaingraph.errors import ChainGraphError

__all__ = ["FORMULA_START", "OUTPUT_ENCODINGS", "cell_value", "put_cell", "csv_text", "write_csv",
           "prepare_output", "output_errors"]

#: First characters that make Excel or WPS read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Encodings ``--output-encoding`` accepts for CSV files.
OUTPUT_ENCODINGS = ("utf-8", "gb18030")

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cell_value(value: Any, fmt: Literal["csv", "xlsx"]) -> Any:
    """The value to write into one CSV or XLSX cell (the module's cell rule).

    Examples
    --------
    >>> cell_value('=HYPERLINK("http://x","click")', "csv")
    '\\'=HYPERLINK("http://x","click")'
    >>> cell_value("=1+1", "xlsx"), cell_value(-1.5, "csv"), cell_value(None, "csv")
    ('=1+1', -1.5, '')
    >>> cell_value("a\\x00b", "xlsx")
    'a\\ufffdb'
    """
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return value
    s = _ILLEGAL_XML.sub("\ufffd", str(value))
    if fmt == "csv" and s.startswith(FORMULA_START):
        return "'" + s
    return s


def put_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` into an openpyxl worksheet cell by the cell rule; text is always a string cell."""
    v = cell_value(value, "xlsx")
    cell = ws.cell(row=row, column=column)
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    return cell


def _csv_rows(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    yield [cell_value(h, "csv") for h in headers]
    for r in rows:
        yield [cell_value(v, "csv") for v in r]


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (no BOM, for stdout) of a table, each cell by the cell rule.

    Examples
    --------
    >>> csv_text(["name", "n"], [["+1", -1], ["@SUM(A1)", None]])
    "name,n\\n'+1,-1\\n'@SUM(A1),\\n"
    """
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(_csv_rows(headers, rows))
    return buf.getvalue()


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
              encoding: str = "utf-8") -> Path:
    """Write a CSV file: UTF-8 with a BOM, or GB18030 (``encoding="gb18030"``); creates missing folders."""
    enc = _checked_encoding(encoding)
    path = prepare_output(path)
    with output_errors(path):
        path.write_bytes(csv_text(headers, rows).encode("utf-8-sig" if enc == "utf-8" else enc))
    return path


def _checked_encoding(encoding: str) -> str:
    enc = encoding.strip().lower().replace("_", "-")
    enc = {"utf8": "utf-8", "utf-8-sig": "utf-8", "gb-18030": "gb18030"}.get(enc, enc)
    if enc not in OUTPUT_ENCODINGS:
        raise ChainGraphError(key="error.encoding", name=encoding)
    return enc


def prepare_output(path: str | Path) -> Path:
    """Check that ``path`` can be written as a file and create its missing folders.

    Raises
    ------
    ChainGraphError
        If ``path`` is a folder or cannot be created or written (one line,
        with what to do instead).
    """
    p = Path(path)
    if p.is_dir():
        raise ChainGraphError(key="error.output_dir", path=str(p), example=str(p / "out"))
    with output_errors(p):
        p.parent.mkdir(parents=True, exist_ok=True)
    return p


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing ``path`` into a one-line :class:`ChainGraphError`."""
    try:
        yield
    except IsADirectoryError:
        raise ChainGraphError(key="error.output_dir", path=str(path), example=str(path / "out")) from None
    except PermissionError:
        raise ChainGraphError(key="error.output_denied", path=str(path)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ChainGraphError(key="error.output_failed", path=str(path), reason=reason) from None
