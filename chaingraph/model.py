"""The graph model shared by every store and analysis.

Terms
-----
firm
    A company. It sits in one region and makes products of zero or more
    segments. An *anchor* (鏈主, chain master) is a firm a region grows its
    industry around.
chain
    An industry chain (産業鏈), e.g. the lithium-battery chain.
segment
    One link of a chain template (環節), e.g. "separator". ``stage`` says where
    it sits: upstream, midstream or downstream.
region
    A place in a tree: country > province > city > county > town or park.

Nodes and relationships (docs/model.md has the full table)
-----------------------------------------------------------
Graph databases hold nodes ``Firm``, ``Segment``, ``Chain`` and ``Region``
and relationships ``SUPPLIES`` (firm to firm), ``IN_SEGMENT`` (firm to
segment), ``FEEDS`` (segment to segment: ``from`` is an input of ``to``),
``PART_OF`` (segment to chain, region to parent region) and ``LOCATED_IN``
(firm to region).

In memory the same model is a :class:`networkx.MultiDiGraph` whose node keys
are the dataset ids (unique across kinds) and whose nodes carry ``kind``
(``"firm"``, ``"segment"``, ``"chain"`` or ``"region"``). ``IN_SEGMENT`` and
``LOCATED_IN`` are firm attributes there (``segments``, a tuple of ids, and
``region``) because every firm has them and analyses read them per firm.
Every edge carries ``rel``; ``SUPPLIES`` edges are keyed by their segment
(``""`` when unknown), so one supplier may sell a customer two products.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import networkx as nx

__all__ = [
    "Lang",
    "Progress",
    "CandidateTable",
    "CandidateSource",
    "haversine_km",
    "firm_location",
    "KINDS",
    "STAGES",
    "STAGE_ORDER",
    "LEVELS",
    "FIRM_ATTRS",
    "Region",
    "Chain",
    "Segment",
    "SegmentLink",
    "display_name",
    "new_graph",
    "firms",
    "segment_distances",
    "regions_within",
    "validate_graph",
    "graph_to_json",
    "graph_from_json",
]

Lang = Literal["zh", "en"]
KINDS = ("firm", "segment", "chain", "region")
STAGES = ("upstream", "midstream", "downstream")
#: A segment's stage to its place in the chain, for sorting (the one stage order).
STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
LEVELS = ("country", "province", "city", "county", "town", "park")

#: Attributes every firm node carries (``None`` where unknown; ``extra`` is a dict
#: of the dataset's extra columns, ``{}`` when there are none).
FIRM_ATTRS = (
    "name", "name_en", "region", "segments", "anchor", "output_value", "employees",
    "listed", "credit_code", "lat", "lon", "source", "extra",
)


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    name_en: str = ""
    parent: str | None = None
    level: str = "county"
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Chain:
    id: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class Segment:
    id: str
    chain: str
    name: str
    name_en: str = ""
    stage: str = "midstream"


@dataclass(frozen=True)
class SegmentLink:
    """``source`` is an input of ``target``; ``weight`` its share of the target's inputs."""

    source: str
    target: str
    weight: float | None = None


def display_name(attrs: Mapping[str, Any], lang: Lang = "zh") -> str:
    """Name of a node in the chosen language, falling back to the other one, then to its id.

    This is the one "name in this language" rule: terminal, files and pages all use it.

    Examples
    --------
    >>> display_name({"name": "格科微", "name_en": "GalaxyCore"}, "en")
    'GalaxyCore'
    >>> display_name({"name": "格科微", "name_en": ""}, "en")
    '格科微'
    >>> display_name({"id": "galaxycore"}, "zh")
    'galaxycore'
    """
    first, second = ("name_en", "name") if lang == "en" else ("name", "name_en")
    return str(attrs.get(first) or attrs.get(second) or attrs.get("id") or "")


def new_graph(**meta: Any) -> nx.MultiDiGraph:
    """An empty model graph stamped with metadata (dataset, source, load time, version)."""
    from chaingraph import __version__

    G = nx.MultiDiGraph()
    G.graph.update(meta)
    G.graph.setdefault("loaded_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    G.graph.setdefault("chaingraph_version", __version__)
    return G


def firms(G: nx.MultiDiGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    """Iterate over ``(id, attrs)`` of the firm nodes of ``G``."""
    return ((n, d) for n, d in G.nodes(data=True) if d.get("kind") == "firm")


def _feeds_adjacency(G: nx.MultiDiGraph, *, reverse: bool) -> dict[str, list[str]]:
    adj: dict[str, list[str]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("rel") == "FEEDS":
            a, b = (v, u) if reverse else (u, v)
            adj.setdefault(a, []).append(b)
    return adj


def segment_distances(
    G: nx.MultiDiGraph, segments: Iterable[str], *, depth: int = 2
) -> dict[str, tuple[str, int]]:
    """Segments within ``depth`` FEEDS steps of ``segments``.

    Returns ``distances``: segment id to ``(direction, distance)``, with
    direction ``"own"`` (distance 0) for the given segments, ``"upstream"``
    for segments with a FEEDS path of that length *into* them and
    ``"downstream"`` for paths out of them. A segment reached both ways keeps
    the shorter distance (upstream on a tie). Cycles in FEEDS are fine.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("ore", "cathode"), ("cathode", "cell"), ("cell", "pack")], rel="FEEDS")
    [0, 0, 0]
    >>> sorted(segment_distances(G, ["cell"], depth=1).items())
    [('cathode', ('upstream', 1)), ('cell', ('own', 0)), ('pack', ('downstream', 1))]
    """
    own = list(dict.fromkeys(segments))
    result: dict[str, tuple[str, int]] = {s: ("own", 0) for s in own}
    found: dict[str, dict[str, int]] = {}
    for direction, reverse in (("upstream", True), ("downstream", False)):
        adj = _feeds_adjacency(G, reverse=reverse)
        dist = {s: 0 for s in own}
        queue = deque(own)
        while queue:
            s = queue.popleft()
            if dist[s] >= depth:
                continue
            for t in adj.get(s, ()):
                if t not in dist:
                    dist[t] = dist[s] + 1
                    queue.append(t)
        found[direction] = dist
    for direction in ("upstream", "downstream"):
        for s, d in found[direction].items():
            if s in result and result[s][1] <= d:
                continue
            result[s] = (direction, d)
    return result


def regions_within(G: nx.MultiDiGraph, region: str) -> set[str]:
    """``region`` and every region inside it (PART_OF edges point child to parent).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("town", "county"), ("county", "city")], rel="PART_OF")
    [0, 0]
    >>> sorted(regions_within(G, "county"))
    ['county', 'town']
    """
    inside = {region}
    stack = [region]
    while stack:
        r = stack.pop()
        if r not in G:
            continue
        for child, _, d in G.in_edges(r, data=True):
            if d.get("rel") == "PART_OF" and G.nodes[child].get("kind", "region") == "region" \
                    and child not in inside:
                inside.add(child)
                stack.append(child)
    return inside


def validate_graph(G: nx.MultiDiGraph) -> None:
    """Check that ``G`` follows the model's attribute rules.

    Raises
    ------
    ValueError
        Naming the first node or edge that breaks a rule.
    """
    for n, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind not in KINDS:
            msg = f"node {n!r} has kind {kind!r}; expected one of {KINDS}"
            raise ValueError(msg)
        if not d.get("name") and not d.get("name_en"):
            msg = f"{kind} {n!r} has no name"
            raise ValueError(msg)
        if kind == "firm":
            missing = [a for a in FIRM_ATTRS if a not in d]
            if missing:
                msg = f"firm {n!r} lacks attributes {missing}"
                raise ValueError(msg)
            if not isinstance(d["segments"], tuple):
                msg = f"firm {n!r}: segments must be a tuple of segment ids"
                raise ValueError(msg)
        if kind == "segment" and d.get("stage") not in STAGES:
            msg = f"segment {n!r} has stage {d.get('stage')!r}; expected one of {STAGES}"
            raise ValueError(msg)
    expected = {
        "SUPPLIES": ("firm", "firm"),
        "FEEDS": ("segment", "segment"),
    }
    for u, v, k, d in G.edges(keys=True, data=True):
        rel = d.get("rel")
        ku, kv = G.nodes[u].get("kind"), G.nodes[v].get("kind")
        if rel == "PART_OF":
            ok = (ku, kv) in {("segment", "chain"), ("region", "region")}
        elif rel in expected:
            ok = (ku, kv) == expected[rel]
        else:
            msg = f"edge {u!r}->{v!r} has rel {rel!r}; expected SUPPLIES, FEEDS or PART_OF"
            raise ValueError(msg)
        if not ok:
            msg = f"{rel} edge {u!r}->{v!r} joins a {ku} to a {kv}"
            raise ValueError(msg)


def graph_to_json(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link JSON data of ``G`` that :func:`graph_from_json` reads back equal."""
    data: dict[str, Any] = nx.node_link_data(G, edges="edges", source="_from", target="_to")
    for node in data["nodes"]:
        if isinstance(node.get("segments"), tuple):
            node["segments"] = list(node["segments"])
    return data


def graph_from_json(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Inverse of :func:`graph_to_json`."""
    G: nx.MultiDiGraph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges",
                                            source="_from", target="_to")
    for _, d in G.nodes(data=True):
        if isinstance(d.get("segments"), list):
            d["segments"] = tuple(d["segments"])
    return G


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km.

    Examples
    --------
    >>> round(haversine_km(30.84, 120.92, 31.23, 121.47))  # Jiashan to Shanghai
    68
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))



def firm_location(G: nx.MultiDiGraph, firm: str) -> tuple[float, float] | None:
    """Latitude and longitude of ``firm``: its own, else its region's, else ``None``.

    A firm often has no coordinates of its own; its region's centre is close
    enough for distances between counties. Both values must be present: a
    firm with only a latitude counts as having none of its own.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("js", kind="region", name="嘉善", lat=30.84, lon=120.92)
    >>> G.add_node("a", kind="firm", region="js", lat=31.0, lon=121.0)
    >>> G.add_node("b", kind="firm", region="js", lat=31.0, lon=None)
    >>> G.add_node("c", kind="firm", region="nowhere")
    >>> firm_location(G, "a"), firm_location(G, "b"), firm_location(G, "c")
    ((31.0, 121.0), (30.84, 120.92), None)
    """
    d = G.nodes[firm]
    lat, lon = d.get("lat"), d.get("lon")
    if lat is None or lon is None:
        r = d.get("region")
        if r is None or r not in G:
            return None
        lat, lon = G.nodes[r].get("lat"), G.nodes[r].get("lon")
        if lat is None or lon is None:
            return None
    return float(lat), float(lon)

#: Progress callback: ``progress(done, total)``; ``total`` may be ``None``.
Progress = Callable[[int, int | None], None]

@dataclass(frozen=True)
class CandidateTable:
    """Per candidate firm, the counts its score is computed from; one entry per candidate.

    A candidate is a firm outside the home region (and not excluded) that makes
    a gap segment. ``segments`` are the gap segments it makes (sorted ids),
    ``supplies_anchor`` whether it has a SUPPLIES link to an anchor, ``peers``
    the number of distinct non-anchor firms it supplies that make an own
    segment of one of its anchors, ``ties`` the number of distinct non-anchor
    firms of the home region it supplies or is supplied by, ``output`` its
    output value when known and positive, and ``distance`` the great-circle km
    to the nearest of its anchors with coordinates (``None`` when there is
    none). Its anchors are those whose gaps its segments are.
    """

    ids: list[str]
    segments: list[tuple[str, ...]]
    supplies_anchor: list[bool]
    peers: list[int]
    ties: list[int]
    output: list[float | None]
    distance: list[float | None]

    def __len__(self) -> int:
        return len(self.ids)


@runtime_checkable
class CandidateSource(Protocol):
    """A store that counts candidates itself (see the module docstring).

    ``counts_candidates`` says whether it can here (the database store cannot
    over FalkorDB's Bolt endpoint); when false, analyses use the context.
    """

    counts_candidates: bool

    def candidates(
        self,
        *,
        anchors: Sequence[str],
        gaps: Mapping[str, Collection[str]],
        region: str,
        exclude: Collection[str] = (),
        min_output: float | None = None,
    ) -> CandidateTable:
        """The candidates for the gap segments ``gaps`` (segment id -> anchors with that gap)."""

    def neighbourhood(self, firms: Collection[str], *, also: Collection[str] = ()) -> nx.MultiDiGraph:
        """The template with ``firms``, every SUPPLIES link of theirs and the firms at the other end,
        and the firms ``also`` (without links of their own)."""
