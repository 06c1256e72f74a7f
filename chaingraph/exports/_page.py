"""What the three offline pages share: the page record, names, colours, JSON and writing.

The pages are the firm graph (:mod:`chaingraph.exports.html`), the chain-map
poster (:mod:`chaingraph.exports.poster`) and the firm map
(:mod:`chaingraph.exports.firm_map`). Every label comes from
:data:`chaingraph.i18n.TEXT` (keys ``page.*``); every name reaches a page as
data in a JSON ``<script>`` block with ``<``, ``>`` and ``&`` escaped, and the
scripts show it with ``textContent``.

Terms
-----
display length
    A name on the drawing is cut to :data:`LABEL_CHARS` characters (a CJK
    character counts two) with ``…``; the full name is in the tooltip, the
    search and the details panel. One very long name would otherwise widen
    its label until the fitted zoom shrinks everything to nothing.
chain colours
    One hue per chain, far apart on the colour wheel and chosen from a
    colour-blind-friendly order (blue, orange, green, purple ...); the
    segments of a chain get shades of its hue, darker upstream.
"""
from __future__ import annotations

import colorsys
import datetime as _dt
import functools
import json
import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the terminal tables of `gaps` use cut() without networkx
    import networkx as nx

    from chaingraph.analyses.gaps import GapReport, RegionGapReport
    from chaingraph.analyses.targets import Target

from chaingraph.i18n import format_money, text
from chaingraph.model import STAGES, Lang, display_name

__all__ = ["LABEL_CHARS", "Page", "short", "chain_palette", "STATUS_COLOURS"]

logger = logging.getLogger(__name__)

#: Most label width on a drawing, in half-width characters (a CJK character counts two).
LABEL_CHARS = 24

#: Status colours of the chain map, from the Okabe-Ito palette (safe for the common colour-blindnesses):
#: covered blue-green, weak orange-yellow, missing vermillion (drawn hatched as well).
STATUS_COLOURS = {"covered": "#009e73", "weak": "#e69f00", "missing": "#d55e00"}

# Hues of the chain colours, in an order where neighbours are far apart.
_CHAIN_HUES = (210, 32, 150, 285, 350, 190, 55, 120, 240, 15, 320, 170)


@dataclass
class Page:
    """What a page shows: its nodes, edges and options, and its header text.

    ``nodes`` and ``edges`` are the dicts handed to the page's script (for the
    firm graph and the map, vis-network's); ``tip`` lists the tooltip lines of
    a node or edge. ``left_out`` counts the firms drawn inside aggregate nodes
    instead of one by one, by kind (``local``, ``external``, ``partner``,
    ``target``). ``panel`` maps an id to what the details panel shows.
    """

    kind: str
    title: str
    subtitle: str
    lang: Lang
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    legend: list[dict[str, Any]]
    notices: list[str] = field(default_factory=list)
    panel: dict[str, Any] = field(default_factory=dict)
    firm_count: int = 0
    total_firms: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def physics(self) -> bool:
        return bool(self.options.get("physics", {}).get("enabled"))


def t(lang: Lang, key: str, **kw: Any) -> str:
    """The page label ``key`` (``page.<key>`` in :data:`chaingraph.i18n.TEXT`)."""
    return text(f"page.{key}", lang, **kw)


def width(s: str) -> int:
    """Width of ``s`` in half-width characters (East Asian wide and full-width count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def short(s: str, limit: int = LABEL_CHARS) -> str:
    """``s`` cut to ``limit`` half-width characters, with ``…`` when cut.

    Examples
    --------
    >>> short("兰钧新能源科技有限公司", 10), short("Lanjun", 10), short("x" * 30, 8)
    ('兰钧新能…', 'Lanjun', 'xxxxxxx…')
    """
    s = " ".join(str(s).split())
    if len(s) * 2 <= limit:
        return s
    return cut(s, limit, width)


def cut(s: str, limit: int, measure: Callable[[str], int]) -> str:
    """``s`` cut to ``limit`` display cells as ``measure`` counts them, ending in ``…`` when cut.

    The one cutting rule of the pages (:func:`short`) and the terminal tables
    (:mod:`chaingraph.exports.text`, which measures with rich).

    >>> cut("兰钧新能源", 6, width), cut("abc", 6, width)
    ('兰钧…', 'abc')
    """
    if measure(s) <= limit:
        return s
    out, used = [], 0
    for c in s:
        w = measure(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out).rstrip() + "…"


def attrs(G: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """The attributes of ``node`` with its ``id``, for :func:`chaingraph.model.display_name`."""
    return {"id": node, **(G.nodes[node] if node in G else {})}


def name(G: nx.MultiDiGraph, node: str, lang: Lang) -> str:
    """The display name of ``node`` (:func:`chaingraph.model.display_name`)."""
    return display_name(attrs(G, node), lang)


def both_names(d: Mapping[str, Any]) -> str:
    zh, en = str(d.get("name") or ""), str(d.get("name_en") or "")
    return f"{zh} / {en}" if zh and en and zh != en else (zh or en)


def fmt_money(value: Any, lang: Lang, currency: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format_money(float(value), lang, currency)


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, no ``<!--``, no line separators."""
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (out.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def ids(items: Any) -> list[str]:
    """Ids of ``items``: strings, or objects or mappings with an ``id``."""
    if items is None:
        return []
    if isinstance(items, (str, Mapping)) or hasattr(items, "id"):
        items = [items]
    out = []
    for it in items:
        i = it.get("id") if isinstance(it, Mapping) else getattr(it, "id", it)
        if i is not None:
            out.append(str(i))
    return out


def target_fields(tg: Target | Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a target we show, from a :class:`chaingraph.analyses.targets.Target` or a mapping."""
    def get(k: str) -> Any:
        return tg.get(k) if isinstance(tg, Mapping) else getattr(tg, k, None)

    firm = ids(get("firm") or get("firm_id") or get("id"))
    reasons = get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    score = get("score")
    return {"firm": firm[0] if firm else "", "score": float(score) if score is not None else None,
            "reasons": [str(r) for r in reasons], "anchors": ids(get("anchors") or get("anchor")),
            "segments": ids(get("segments") or get("segment")),
            "components": {str(k): float(v) for k, v in (get("components") or {}).items()}}


def gap_segments(gaps: GapReport | Mapping[str, Any] | Iterable[Any] | None) -> list[str]:
    """Ids of the missing segments in a gap report (``None`` or a list of ids also work)."""
    if gaps is None:
        return []
    if isinstance(gaps, Iterable) and not isinstance(gaps, (str, Mapping)):
        items: Iterable[Any] = gaps
    else:
        items = getattr(gaps, "missing", None) or (gaps.get("missing", []) if isinstance(gaps, Mapping) else [])
    out = []
    for g in items:
        seg = g if isinstance(g, str) else getattr(g, "segment", None) or (
            g.get("segment") if isinstance(g, Mapping) else None)
        if seg:
            out.append(str(seg))
    return list(dict.fromkeys(out))


def status_map(status: RegionGapReport | GapReport | Mapping[str, str] | None) -> dict[str, str]:
    """Segment id to status, from a region gap report, a gap report or a mapping."""
    if status is None:
        return {}
    if isinstance(status, Mapping):
        return {str(k): str(v) for k, v in status.items()}
    out: dict[str, str] = {}
    for chain in getattr(status, "chains", ()) or ():
        for seg in chain.segments:
            out[seg.id] = seg.status
    for seg in getattr(status, "segments", ()) or ():
        out.setdefault(seg.id, seg.status)
    return out


def segment_chain(G: nx.MultiDiGraph, seg: str) -> str:
    """The chain of segment ``seg`` (its ``chain`` attribute, else its PART_OF edge), or ``""``."""
    if seg not in G:
        return ""
    chain = G.nodes[seg].get("chain")
    if chain:
        return str(chain)
    for _, c, d in G.out_edges(seg, data=True):
        if d.get("rel") == "PART_OF" and G.nodes[c].get("kind") == "chain":
            return str(c)
    return ""


def stage_index(G: nx.MultiDiGraph, seg: str) -> int:
    stage = G.nodes[seg].get("stage") if seg in G else None
    return STAGES.index(stage) if stage in STAGES else 1


def _hex(h: float, s: float, light: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h / 360 % 1.0, light, s)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def chain_palette(G: nx.MultiDiGraph) -> tuple[dict[str, str], dict[str, str]]:
    """A colour per chain and a shade of it per segment (see the module docstring).

    Returns
    -------
    chains, segments
        Chain id to its colour; segment id to its shade (upstream darker).
    """
    chain_ids = sorted({n for n, d in G.nodes(data=True) if d.get("kind") == "chain"}
                       | {segment_chain(G, s) for s, d in G.nodes(data=True) if d.get("kind") == "segment"})
    hue = {c: _CHAIN_HUES[i % len(_CHAIN_HUES)] + 9 * (i // len(_CHAIN_HUES)) for i, c in enumerate(chain_ids)}
    by_chain: dict[str, list[str]] = defaultdict(list)
    for s, d in G.nodes(data=True):
        if d.get("kind") == "segment":
            by_chain[segment_chain(G, s)].append(s)
    chains = {c: _hex(hue[c], 0.70, 0.45) for c in chain_ids}
    segments: dict[str, str] = {}
    for c, segs in by_chain.items():
        segs.sort(key=lambda s: (stage_index(G, s), s))
        for i, s in enumerate(segs):
            frac = i / (len(segs) - 1) if len(segs) > 1 else 0.5
            segments[s] = _hex(hue[c] + 10 * (frac - 0.5), 0.70, 0.32 + 0.34 * frac)
    return chains, segments


def header(G: nx.MultiDiGraph, region: str, lang: Lang, date: str | None) -> tuple[str, list[str]]:
    """The home region's name and the header parts every page shares: dataset, region, date."""
    region_name = name(G, region, lang)
    dataset = str(G.graph.get("title") or G.graph.get("name") or G.graph.get("dataset") or "chaingraph")
    date = date or _dt.date.today().isoformat()
    return region_name, [dataset, f"{t(lang, 'region')}: {region_name}", f"{t(lang, 'generated')} {date}"]


@functools.cache
def template(file: str) -> str:
    """The text of ``templates/FILE`` (package data, see :mod:`chaingraph.exports.templates`)."""
    return resources.files("chaingraph.exports.templates").joinpath(file).read_text(encoding="utf-8")


def strip_urls(src: str) -> str:
    """``src`` without http(s) addresses (a library's comments); the SVG namespace stays."""
    return re.sub(r"https?://(?!www\.w3\.org/2000/svg)[^\s\"'()<>]*", "", src)


def write_text(out_path: str | Path, page_text: str) -> Path:
    """Write ``page_text`` to ``out_path`` through a sibling temp file, so a failed write leaves no half page."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(page_text, encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
