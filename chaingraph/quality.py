"""The data-quality report of ``chaingraph validate``: errors apart from warnings and notes.

Terms
-----
notice
    One kind of finding, in the style of the MobilityData GTFS validator: a
    ``code`` (``duplicate_name``), a ``severity``, a ``count`` and the first
    :data:`EXAMPLES` examples, each located as ``FILE:LINE``.
error
    A problem that blocks every load (:class:`~chaingraph.errors.DatasetErrors`:
    an unknown reference, a bad number ...). While there is one, the dataset is
    not built, so warnings and notes are not computed.
warning
    Something the analyses accept but that makes their answers less sure: two
    firms whose names normalise alike (:func:`chaingraph.names.normalise`), an
    anchor without segments or supplier links, a firm without segments, a
    segment no firm makes, FEEDS weights into one segment summing above 1, a
    large share of links that are derived, illustrative or less sure than 0.5.
note
    Worth knowing, nothing to fix: links without a value, firms located only at
    province or country precision (proximity is neutral for them), the empty
    rows Excel leaves at the end of a sheet (skipped).

The checks read the :class:`~chaingraph.datasets.Dataset` column by column
(pyarrow and numpy), so they stay fast on a million firms.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chaingraph.datasets import MAX_FILE_SIZE, Dataset, read_dataset
from chaingraph.errors import DatasetErrors, Problem, say
from chaingraph.i18n import text
from chaingraph.model import COARSE_PRECISIONS, Lang, location_precision
from chaingraph.names import normalise

__all__ = ["Severity", "Example", "Notice", "QualityReport", "EXAMPLES", "WEAK_SHARE", "check_quality",
           "validate"]

Severity = Literal["error", "warning", "note"]
#: Severities, worst first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
#: Examples kept per notice.
EXAMPLES = 5
#: Links less sure than this count as weak evidence.
WEAK_CONFIDENCE = 0.5
#: Above this share of weak links, the weak-evidence notice is a warning (else a note).
WEAK_SHARE = 0.2


@dataclass(frozen=True)
class Example:
    """Where a notice was found (``line`` 0: the whole file) and what, as ``detail``."""

    file: str
    line: int
    detail: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.detail}" if self.detail else where

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "detail": self.detail}


@dataclass(frozen=True)
class Notice:
    """One kind of finding: ``code``, ``severity``, how many (``count``), the first examples, and its
    sentence in the report's language (``message``, from i18n ``quality.<code>``)."""

    code: str
    severity: Severity
    count: int
    examples: tuple[Example, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "count": self.count, "message": self.message,
                "examples": [e.to_dict() for e in self.examples]}


@dataclass(frozen=True)
class QualityReport:
    """Every notice of a dataset, errors first."""

    source: str
    notices: tuple[Notice, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def total(self, severity: Severity) -> int:
        """How many problems of this severity (the sum of the notices' counts, not of printed lines)."""
        return sum(n.count for n in self.notices if n.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "counts": dict(self.counts),
                "summary": {s: self.total(s) for s in SEVERITIES},
                "notices": [n.to_dict() for n in self.notices]}


class _Notes:
    """Collects notices in the report's language."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.found: list[Notice] = []

    def add(self, code: str, severity: Severity, examples: Sequence[Example], count: int | None = None,
            **values: Any) -> None:
        n = len(examples) if count is None else count
        if n:
            self.found.append(Notice(code, severity, n, tuple(examples[:EXAMPLES]),
                                     text(f"quality.{code}", self.lang, n=n, **values)))


def _line(ds: Dataset, file: str, row: int) -> int:
    lines = ds.lines.get(file)
    return int(lines[row]) if lines is not None and row < len(lines) else row + 2


def _firm_examples(ds: Dataset, rows: np.ndarray, detail: str = "") -> list[Example]:
    ids, names = ds.firms.column("id"), ds.firms.column("name")
    return [Example("firms.csv", _line(ds, "firms.csv", r), detail or f"{ids[r].as_py()} {names[r].as_py()}")
            for r in rows[:EXAMPLES].tolist()]


def _bools(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _duplicate_names(ds: Dataset, notes: _Notes) -> None:
    """Firms whose names normalise alike: the second and later of each name are the problems."""
    names = ds.firms.column("name").to_pylist()
    first: dict[str, int] = {}
    dup: list[Example] = []
    count = 0
    ids = ds.firms.column("id")
    for row, name in enumerate(names):
        key = normalise(name or "")
        if not key:
            continue
        if key in first:
            count += 1
            if len(dup) < EXAMPLES:
                other = first[key]
                dup.append(Example("firms.csv", _line(ds, "firms.csv", row),
                                   f"{ids[row].as_py()} {name} = {ids[other].as_py()} {names[other]} "
                                   f"(firms.csv:{_line(ds, 'firms.csv', other)})"))
        else:
            first[key] = row
    notes.add("duplicate_name", "warning", dup, count)


def _firm_notices(ds: Dataset, notes: _Notes) -> None:
    firms = ds.firms
    anchor = _bools(firms.column("anchor"))
    no_segments = np.asarray(pc.fill_null(pc.equal(pc.list_value_length(firms.column("segments")), 0), True)
                             .to_numpy(zero_copy_only=False), dtype=bool)
    customers = pc.unique(ds.links.column("customer"))
    supplied = _bools(pc.is_in(firms.column("id"), value_set=customers))
    rows = np.flatnonzero(anchor & no_segments)
    notes.add("anchor_without_segments", "warning", _firm_examples(ds, rows), len(rows))
    rows = np.flatnonzero(anchor & ~supplied)
    notes.add("anchor_without_suppliers", "warning", _firm_examples(ds, rows), len(rows))
    rows = np.flatnonzero(~anchor & no_segments)
    notes.add("firm_without_segments", "warning", _firm_examples(ds, rows), len(rows))
    rows = np.flatnonzero(_coarse(ds))
    notes.add("coarse_location", "note", _firm_examples(ds, rows), len(rows))


def _coarse(ds: Dataset) -> np.ndarray:
    """Firms located only at province or country precision (:func:`~chaingraph.model.location_precision`)."""
    firms = ds.firms
    own = _bools(pc.and_(pc.is_valid(firms.column("lat")), pc.is_valid(firms.column("lon"))))
    region_ids = pa.array([r.id for r in ds.regions], pa.string())
    levels = np.array([r.level for r in ds.regions] + [""], dtype=object)
    at = np.asarray(pc.fill_null(pc.index_in(firms.column("region"), value_set=region_ids), len(ds.regions))
                    .to_numpy(zero_copy_only=False), dtype=np.int64)
    level = levels[at]
    coarse: np.ndarray = ~own & np.isin(level, sorted(COARSE_PRECISIONS))
    if "precision" in ds.extra_columns:
        import json

        extra = firms.column("extra")
        for row in np.flatnonzero(_bools(pc.match_substring(extra, '"precision"'))).tolist():
            override = json.loads(extra[row].as_py()).get("precision")
            coarse[row] = location_precision(override, bool(own[row]), level[row]) in COARSE_PRECISIONS
    return coarse


def _link_notices(ds: Dataset, notes: _Notes) -> None:
    links = ds.links
    n = links.num_rows
    if not n:
        return
    lines, lang = "links.csv", notes.lang
    no_value = np.flatnonzero(~_bools(pc.is_valid(links.column("value"))))
    sup, cus = links.column("supplier"), links.column("customer")
    evidence = links.column("evidence")
    conf = np.asarray(pc.fill_null(links.column("confidence"), 1.0).to_numpy(zero_copy_only=False), dtype=float)
    weak = _bools(pc.is_in(evidence, value_set=pa.array(["derived", "illustrative"]))) | (conf < WEAK_CONFIDENCE)
    rows = np.flatnonzero(weak)
    shown = np.concatenate([no_value[:EXAMPLES], rows[:EXAMPLES]]).tolist()
    names = _firm_names(ds, {str(x.as_py()) for r in shown for x in (sup[r], cus[r])}, lang)

    def link(r: int) -> str:
        return f"{names[str(sup[r].as_py())]} → {names[str(cus[r].as_py())]}"

    def examples(rows: np.ndarray, detail: Any) -> list[Example]:
        return [Example(lines, _line(ds, lines, r), detail(r)) for r in rows[:EXAMPLES].tolist()]

    notes.add("link_without_value", "note", examples(no_value, link), len(no_value))
    share = len(rows) / n
    notes.add("weak_evidence", "warning" if share > WEAK_SHARE else "note",
              examples(rows, lambda r: link(r) + text("quality.link_evidence", lang,
                                                      evidence=text(f"evidence.{evidence[r].as_py()}", lang),
                                                      confidence=f"{conf[r]:g}")),
              len(rows), share=f"{share:.0%}", links=n)


def _firm_names(ds: Dataset, ids: set[str], lang: Lang) -> dict[str, str]:
    """The names of a few firms in the report's language (the id when there is none)."""
    firms = ds.firms.filter(pc.is_in(ds.firms.column("id"), value_set=pa.array(sorted(ids), pa.string())))
    out = {i: i for i in ids}
    for fid, name, name_en in zip(*(firms.column(c).to_pylist() for c in ("id", "name", "name_en"))):
        out[fid] = (name_en or name) if lang == "en" else (name or name_en) or fid
    return out


def _segment_notices(ds: Dataset, notes: _Notes) -> None:
    made = set(pc.unique(pc.list_flatten(ds.firms.column("segments"))).to_pylist())
    seg_lines = ds.lines.get("segments.csv")
    empty = [Example("segments.csv", int(seg_lines[i]) if seg_lines is not None else i + 2, f"{s.id} {s.name}")
             for i, s in enumerate(ds.segments) if s.id not in made]
    notes.add("segment_without_firm", "warning", empty,
              sum(1 for s in ds.segments if s.id not in made))
    totals: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, link in enumerate(ds.segment_links):
        if link.weight is not None:
            totals[link.target] = totals.get(link.target, 0.0) + link.weight
            first.setdefault(link.target, i)
    over = [t for t, w in totals.items() if w > 1 + 1e-9]
    notes.add("feeds_over_one", "warning",
              [Example("segment_links.csv", _line(ds, "segment_links.csv", first[t]), f"{t}: {totals[t]:g}")
               for t in over], len(over))


def check_quality(ds: Dataset, *, lang: Lang = "zh") -> QualityReport:
    """The warnings and notes of a valid dataset (see the module docstring).

    Examples
    --------
    >>> from chaingraph.datasets import read_dataset
    >>> r = check_quality(read_dataset("tests/data/tiny"), lang="en")
    >>> [(n.code, n.severity, n.count) for n in r.notices]  # nobody makes ore; every link illustrative
    [('segment_without_firm', 'warning', 1), ('weak_evidence', 'warning', 3), ('coarse_location', 'note', 1), ('link_without_value', 'note', 1)]
    """
    notes = _Notes(lang)
    _duplicate_names(ds, notes)
    _firm_notices(ds, notes)
    _link_notices(ds, notes)
    _segment_notices(ds, notes)
    for file, lines in ds.skipped.items():
        notes.add("trailing_empty_rows", "note", [Example(file, ln, "") for ln in lines], file=file)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    found = sorted(notes.found, key=lambda n: (order[n.severity], n.code))
    counts = {"firms": ds.firms.num_rows, "links": ds.links.num_rows, "segments": len(ds.segments),
              "chains": len(ds.chains), "regions": len(ds.regions)}
    return QualityReport(str(ds.path), tuple(found), counts)


def _detail(p: Problem, lang: Lang) -> str:
    """What is wrong and how to fix it, in ``lang`` (the example gives the file and line)."""
    return text("quality.error_detail" if p.hint else "quality.error_detail.bare", lang,
                message=say(p.message, lang), hint=say(p.hint, lang))


def _error_notices(problems: Sequence[Problem], lang: Lang) -> list[Notice]:
    """Errors grouped by file and column: code ``invalid_<file stem>``, the problems as examples."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.column), []).append(p)
    out = []
    for (file, column), ps in groups.items():
        stem = Path(file).stem or "dataset"
        out.append(Notice(f"invalid_{stem}", "error", len(ps),
                          tuple(Example(p.file, p.line, _detail(p, lang))
                                for p in ps),  # every error: each one blocks the load
                          text("quality.invalid", lang, n=len(ps), file=file, column=column or "-")))
    return out


def validate(path: str | Path, *, encoding: str | None = None, lang: Lang = "zh",
             progress: Any = None, raise_errors: bool = False,
             max_file_size: int = MAX_FILE_SIZE) -> QualityReport:
    """Read a dataset folder and report on it: its errors when it has any (it cannot be loaded), else
    its warnings and notes (:func:`check_quality`). Files over ``max_file_size`` bytes are errors.

    Raises
    ------
    DatasetErrors
        With ``raise_errors``, instead of reporting the errors.
    """
    try:
        ds = read_dataset(path, encoding=encoding, progress=progress, max_file_size=max_file_size)
    except DatasetErrors as exc:
        if raise_errors:
            raise
        return QualityReport(str(path), tuple(_error_notices(exc.problems, lang)))
    return check_quality(ds, lang=lang)
