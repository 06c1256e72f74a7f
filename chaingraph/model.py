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
import functools
import math
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # networkx is imported where a graph is made: `gaps` on a memory store never needs it
    import networkx as nx

__all__ = [
    "Lang",
    "Progress",
    "CandidateTable",
    "CandidateSource",
    "GapTable",
    "GapSource",
    "feeds_distances",
    "regions_within_records",
    "CandidateLinks",
    "CandidateLinkSource",
    "haversine_km",
    "firm_location",
    "location_point",
    "PRECISIONS",
    "COARSE_PRECISIONS",
    "COARSE_DISTANCE",
    "location_precision",
    "firm_precision",
    "KINDS",
    "STAGES",
    "STAGE_ORDER",
    "LEVELS",
    "FIRM_ATTRS",
    "EVIDENCE_KINDS",
    "EVIDENCE_CONFIDENCE",
    "ILLUSTRATIVE_SOURCES",
    "CONFIRMED",
    "link_confidence",
    "group_of",
    "weighted_count",
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
    "PROJECT_STAGES",
    "PROJECT_STAGE_ORDER",
    "DROPPED",
    "PIPELINE_DEFAULTS",
    "Project",
    "PROJECT_DATE_KEYS",
    "ProjectColumns",
    "project_column",
    "parse_project_date",
    "normalise_project_date",
    "project_date_problems",
    "period_bounds",
]

Lang = Literal["zh", "en"]
KINDS = ("firm", "segment", "chain", "region")
STAGES = ("upstream", "midstream", "downstream")
#: A segment's stage to its place in the chain, for sorting (the one stage order).
STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
LEVELS = ("country", "province", "city", "county", "town", "park")

#: Attributes every firm node carries (``None`` where unknown; ``extra`` is a dict
#: of the dataset's extra columns, ``{}`` when there are none). Firms from a dataset also carry
#: ``aliases`` (a tuple) and ``parent`` (a firm id or ``None``); a graph built by hand may leave them out.
FIRM_ATTRS = (
    "name", "name_en", "region", "segments", "anchor", "output_value", "employees",
    "listed", "credit_code", "lat", "lon", "source", "extra",
)

#: What a supplier link rests on (the ``evidence`` column of links.csv): a disclosure, contract,
#: official or press report; a survey; a derivation from industry relations or a model; or made up
#: for a demo. ``unknown`` when the cell is empty and no source is cited.
EVIDENCE_KINDS = ("reported", "survey", "derived", "illustrative", "unknown")

#: The one table of default confidences: a link whose ``confidence`` cell is empty gets the
#: confidence of its evidence kind.
EVIDENCE_CONFIDENCE: Mapping[str, float] = {
    "reported": 0.9,
    "survey": 0.7,
    "derived": 0.1,
    "illustrative": 0.3,
    "unknown": 0.5,
}

#: A ``source`` cell starting with one of these (after lower-casing) marks an illustrative link
#: when the ``evidence`` cell is empty.
ILLUSTRATIVE_SOURCES = ("illustrative", "invented", "made up", "made-up", "示意", "虚构", "虛構", "演示")

#: Links at least this sure are *confirmed* (gap tables, reasons); ``--confirmed`` changes it.
CONFIRMED = 0.5

#: How precisely a firm or region is located, finest first. Proximity is scored only at
#: ``city`` precision or finer; coarser places (province, country) score a neutral 0.5.
PRECISIONS = ("coordinates", "park", "town", "county", "city", "province", "country")


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


def link_confidence(attrs: Mapping[str, Any], min_confidence: float = 0.0) -> float:
    """How much a SUPPLIES edge counts: its confidence, 0 below ``min_confidence``.

    A dataset's links always carry a confidence (the evidence default fills an empty cell); an
    edge without one (a graph built by hand) counts fully.

    Examples
    --------
    >>> link_confidence({"confidence": 0.3}), link_confidence({}), link_confidence({"confidence": 0.3}, 0.5)
    (0.3, 1.0, 0.0)
    """
    c = attrs.get("confidence")
    conf = 1.0 if c is None else float(c)
    return conf if conf >= min_confidence else 0.0


def weighted_count(weights: Iterable[float]) -> float:
    """A count of links weighed by confidence: their sum, rounded to 9 decimals so that every
    store's push-down, summing in its own order, gives the same number as the reference.

    Examples
    --------
    >>> weighted_count([0.1, 0.2, 0.7]), weighted_count([])
    (1.0, 0.0)
    """
    return round(math.fsum(weights), 9)


def group_of(G: nx.MultiDiGraph, firm: str) -> str:
    """The top of ``firm``'s ``parent`` chain: the firm itself without a parent; a parent that is not
    a node of ``G`` (a context may leave it out) ends the chain.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"parent": "b"}), ("b", {"parent": "c"}), ("c", {}), ("d", {"parent": "zz"})])
    >>> group_of(G, "a"), group_of(G, "d")
    ('c', 'zz')
    """
    seen = {firm}
    node = firm
    while True:
        parent = G.nodes[node].get("parent") if node in G else None
        if not parent or parent in seen:
            return node
        seen.add(parent)
        node = parent


def new_graph(**meta: Any) -> nx.MultiDiGraph:
    """An empty model graph stamped with metadata (dataset, source, load time, version)."""
    import networkx as nx

    from chaingraph._version import __version__

    G = nx.MultiDiGraph()
    G.graph.update(meta)
    G.graph.setdefault("loaded_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    G.graph.setdefault("chaingraph_version", __version__)
    return G


def firms(G: nx.MultiDiGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    """Iterate over ``(id, attrs)`` of the firm nodes of ``G``."""
    return ((n, d) for n, d in G.nodes(data=True) if d.get("kind") == "firm")


def _feeds_adjacency(edges: Iterable[tuple[str, str]], *, reverse: bool) -> dict[str, list[str]]:
    adj: dict[str, list[str]] = {}
    for u, v in edges:
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
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edges_from([("ore", "cathode"), ("cathode", "cell"), ("cell", "pack")], rel="FEEDS")
    [0, 0, 0]
    >>> sorted(segment_distances(G, ["cell"], depth=1).items())
    [('cathode', ('upstream', 1)), ('cell', ('own', 0)), ('pack', ('downstream', 1))]
    """
    feeds = [(u, v) for u, v, d in G.edges(data=True) if d.get("rel") == "FEEDS"]
    return feeds_distances(feeds, segments, depth=depth)


def feeds_distances(
    feeds: Sequence[tuple[str, str]], segments: Iterable[str], *, depth: int = 2
) -> dict[str, tuple[str, int]]:
    """:func:`segment_distances` on the FEEDS edges ``feeds`` given as ``(source, target)`` pairs, for
    callers that hold the template as records rather than a graph (a memory store's gap table).

    Examples
    --------
    >>> sorted(feeds_distances([("ore", "cathode"), ("cathode", "cell"), ("cell", "pack")], ["cell"],
    ...                        depth=1).items())
    [('cathode', ('upstream', 1)), ('cell', ('own', 0)), ('pack', ('downstream', 1))]
    """
    own = list(dict.fromkeys(segments))
    result: dict[str, tuple[str, int]] = {s: ("own", 0) for s in own}
    found: dict[str, dict[str, int]] = {}
    for direction, reverse in (("upstream", True), ("downstream", False)):
        adj = _feeds_adjacency(feeds, reverse=reverse)
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
    >>> import networkx as nx
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


def regions_within_records(regions: Iterable[Region], region: str) -> set[str]:
    """:func:`regions_within` on the region records of a dataset (a region's ``parent`` is the end of
    its PART_OF edge in the template graph), for stores that answer without building that graph.

    Examples
    --------
    >>> tree = [Region("city", "City"), Region("county", "County", parent="city"),
    ...         Region("town", "Town", parent="county")]
    >>> sorted(regions_within_records(tree, "county"))
    ['county', 'town']
    """
    children: dict[str, list[str]] = {}
    for r in regions:
        if r.parent:
            children.setdefault(r.parent, []).append(r.id)
    inside = {region}
    stack = [region]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in inside:
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
    import networkx as nx

    data: dict[str, Any] = nx.node_link_data(G, edges="edges", source="_from", target="_to")
    for node in data["nodes"]:
        for key in ("segments", "aliases"):
            if isinstance(node.get(key), tuple):
                node[key] = list(node[key])
    return data


def graph_from_json(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Inverse of :func:`graph_to_json`."""
    import networkx as nx

    G: nx.MultiDiGraph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges",
                                            source="_from", target="_to")
    for _, d in G.nodes(data=True):
        for key in ("segments", "aliases"):
            if isinstance(d.get(key), list):
                d[key] = tuple(d[key])
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
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("js", kind="region", name="嘉善", lat=30.84, lon=120.92)
    >>> G.add_node("a", kind="firm", region="js", lat=31.0, lon=121.0)
    >>> G.add_node("b", kind="firm", region="js", lat=31.0, lon=None)
    >>> G.add_node("c", kind="firm", region="nowhere")
    >>> firm_location(G, "a"), firm_location(G, "b"), firm_location(G, "c")
    ((31.0, 121.0), (30.84, 120.92), None)
    """
    d = G.nodes[firm]
    r = d.get("region")
    return location_point(d.get("lat"), d.get("lon"), G.nodes[r] if r is not None and r in G else None)


def location_point(lat: Any, lon: Any, region: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The coordinate fallback itself, for callers holding rows rather than a graph (the database store):
    ``(lat, lon)`` when both are given, else the region's, else ``None``.

    >>> location_point(None, 121.0, {"lat": 30.84, "lon": 120.92}), location_point(None, None, None)
    ((30.84, 120.92), None)
    """
    if lat is None or lon is None:
        if region is None:
            return None
        lat, lon = region.get("lat"), region.get("lon")
        if lat is None or lon is None:
            return None
    return float(lat), float(lon)

#: How precisely a firm is located, finest first: its own coordinates, else its region's level.
PRECISIONS = ("coordinates", "park", "town", "county", "city", "province", "country")
#: Locations coarser than a city: a distance to them says nothing (a province's centre is
#: hundreds of km from most of its firms), so proximity is neutral.
COARSE_PRECISIONS = frozenset({"province", "country"})
#: A candidate's ``distance`` (:class:`CandidateTable`) when it is located only coarsely.
COARSE_DISTANCE = -1.0
_PRECISION_ALIASES = {"坐标": "coordinates", "坐標": "coordinates", "经纬度": "coordinates",
                      "經緯度": "coordinates", "园区": "park", "園區": "park", "镇": "town", "鎮": "town",
                      "县": "county", "縣": "county", "区": "county", "區": "county", "市": "city",
                      "省": "province", "国家": "country", "國家": "country"}


def location_precision(override: Any, has_coordinates: bool, region_level: str | None) -> str:
    """How precisely a firm is located: the ``precision`` column when it names a precision, else
    ``coordinates`` for a firm with its own lat/lon, else its region's level (``county`` unknown).

    Examples
    --------
    >>> location_precision(None, True, "country"), location_precision(None, False, "country")
    ('coordinates', 'country')
    >>> location_precision("省", True, "city"), location_precision("nonsense", False, None)
    ('province', 'county')
    """
    if isinstance(override, str):
        key = override.strip().lower()
        key = _PRECISION_ALIASES.get(key, key)
        if key in PRECISIONS:
            return key
    if has_coordinates:
        return "coordinates"
    return region_level if region_level in PRECISIONS else "county"


def firm_precision(G: nx.MultiDiGraph, firm: str) -> str:
    """:func:`location_precision` of a firm node of ``G`` (its ``precision`` extra column, its
    coordinates, its region's ``level``)."""
    d = G.nodes[firm]
    extra = d.get("extra")
    override = extra.get("precision") if isinstance(extra, dict) else None
    own = d.get("lat") is not None and d.get("lon") is not None
    r = d.get("region")
    level = G.nodes[r].get("level") if r is not None and r in G else None
    return location_precision(override, own, level)

#: Progress callback: ``progress(done, total)``; ``total`` may be ``None``.
Progress = Callable[[int, int | None], None]

@dataclass(frozen=True)
class CandidateTable:
    """Per candidate firm, the counts its score is computed from; one entry per candidate.

    A candidate is a firm outside the home region (and not excluded) that makes
    a gap segment. ``segments`` are the gap segments it makes (sorted ids),
    ``supplies_anchor`` the largest confidence of its SUPPLIES links to an anchor
    (0 without one), ``peers`` the distinct non-anchor firms it supplies that
    make an own segment of one of its anchors, each counted by the largest
    confidence of its links to that firm, ``ties`` likewise the distinct
    non-anchor firms of the home region it supplies or is supplied by (both
    sums rounded to 9 decimals); links under ``min_confidence`` count 0. ``output`` its
    output value when known and positive, and ``distance`` the great-circle km
    to the nearest of its anchors with coordinates located at city precision or finer
    (``None`` when there is none; :data:`COARSE_DISTANCE` when the candidate itself is
    located only at province or country precision, see :func:`firm_precision`). Its anchors
    are those whose gaps its segments are.
    """

    ids: list[str]
    segments: list[tuple[str, ...]]
    supplies_anchor: list[float]
    peers: list[float]
    ties: list[float]
    output: list[float | None]
    distance: list[float | None]
    #: Each candidate's group: the top of its parent chain (its own id without a parent).
    groups: list[str] = field(default_factory=list)

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
        min_confidence: float = 0.0,
    ) -> CandidateTable:
        """The candidates for the gap segments ``gaps`` (segment id -> anchors with that gap)."""

    def neighbourhood(self, firms: Collection[str], *, also: Collection[str] = ()) -> nx.MultiDiGraph:
        """The template with ``firms``, every SUPPLIES link of theirs and the firms at the other end,
        and the firms ``also`` (without links of their own)."""


@dataclass(frozen=True)
class GapTable:
    """What the gap tables of some anchors read, gathered by a store without a graph (:class:`GapSource`).

    The same facts :func:`chaingraph.analyses.gaps.find_gaps` reads from the gap context (the anchors,
    their suppliers and the local firms of every segment, see ``jobs._gap_context``):

    * the template as records (``regions``, ``chains``, ``segments``, ``segment_links``, in the
      dataset's order) and the home region ``region``;
    * ``local_by_segment``: per segment, the ids of the local firms that make it, sorted (the segments
      within ``depth`` of an anchor, or every segment when the store was asked for all);
    * ``firms``: ``name``, ``name_en``, ``region`` and ``segments`` (a tuple) of the anchors, their
      suppliers, the extra firms and the local firms listed for the segments within ``depth``;
    * ``local``: which of ``firms`` are local (their region is the home region or inside it);
    * ``links``: per anchor, its SUPPLIES links ``(supplier, segment, value, confidence)`` in the order
      the context graph holds them (suppliers by their first link, then link order; a later link with
      the same supplier and segment replaces an earlier one, as an edge key does);
    * ``in_group``: per anchor, its suppliers in its corporate group as :func:`group_of` finds them on
      the context (a parent chain ends at a parent that the context does not hold).
    """

    regions: Sequence[Region]
    chains: Sequence[Chain]
    segments: Sequence[Segment]
    segment_links: Sequence[SegmentLink]
    region: str
    local_by_segment: Mapping[str, list[str]]
    firms: Mapping[str, Mapping[str, Any]]
    local: frozenset[str]
    links: Mapping[str, list[tuple[str, str, float | None, float | None]]]
    in_group: Mapping[str, frozenset[str]]


@runtime_checkable
class GapSource(Protocol):
    """A store that gathers gap tables itself (the memory store, from its columns), where the
    context graph would build networkx nodes for every local firm.

    ``tables_gaps`` says whether it can here; when false, analyses use the context.
    """

    tables_gaps: bool

    def gap_table(self, *, anchors: Sequence[str], region: str, depth: int, extra: Sequence[str] = (),
                  every_segment: bool = False) -> GapTable:
        """The :class:`GapTable` of ``anchors`` (ids) in the home region ``region`` (an id), for the
        segments within ``depth`` of them (every segment with ``every_segment``), with the firms
        ``extra`` (what-if firms) among its firms."""

    def chain_template(self) -> tuple[list[Region], list[Chain], list[Segment], list[SegmentLink]]:
        """The regions, chains, segments and FEEDS links of the dataset, as records."""


#: What a candidate's reasons rest on (:func:`chaingraph.analyses.targets._weighted_links`): the anchors
#: it supplies (anchor -> ``(segment, confidence, evidence)`` of its links to it, surest first, then by
#: segment), its peers and its local ties (firm -> the largest confidence of the links with it).
CandidateLinks = tuple[dict[str, list[tuple[str, float, str]]], dict[str, float], dict[str, float]]


@runtime_checkable
class CandidateLinkSource(CandidateSource, Protocol):
    """A :class:`CandidateSource` that also reads, for a few candidates, the links their reasons name
    (the memory store, from its arrays); without it, a networkx neighbourhood of the candidates is
    built and read (the reference)."""

    def candidate_links(self, firms: Sequence[str], *, anchors: Sequence[str],
                        gaps: Mapping[str, Collection[str]], region: str,
                        min_confidence: float = 0.0) -> dict[str, CandidateLinks]:
        """``firm -> (supplied, peers, ties)`` for ``firms``, counted as :meth:`CandidateSource.candidates`
        counts them (``gaps``: segment id -> anchors with that gap)."""


# -- projects (the recruitment pipeline, docs/dataset-format.md "projects.csv") ----------------------------

#: The stages a project moves through, in order; ``dropped`` (终止) may follow any of them.
PROJECT_STAGES = ("lead", "contacted", "negotiating", "signed", "registered", "construction", "producing")
#: A project stage to its place in :data:`PROJECT_STAGES` (``dropped`` is not in the order).
PROJECT_STAGE_ORDER = {stage: i for i, stage in enumerate(PROJECT_STAGES)}
DROPPED = "dropped"
#: ``[pipeline]`` settings of dataset.toml and their defaults: days after which a live project counts as
#: stalled (docs/analysis.md, "Stalled projects").
PIPELINE_DEFAULTS: dict[str, int] = {
    "registration_days": 90,   # signed, not registered
    "start_days": 180,         # registered, construction not started
    "production_days": 540,    # construction started, not producing
    "lead_days": 60,           # lead, contacted or negotiating, untouched
}


@dataclass(frozen=True)
class Project:
    """One investment project (项目) of a firm, from lead to producing plant, or dropped.

    ``dates`` maps a stage (one of :data:`PROJECT_STAGES` or ``"dropped"``)
    to the day it was reached, as ``YYYY-MM-DD``, or ``YYYY-MM`` when only the
    month is known; stages without a known date are absent. Money is in the
    dataset's currency; ``None`` where unknown.
    """

    id: str
    name: str
    firm: str
    chain: str
    stage: str
    segments: tuple[str, ...] = ()
    anchor: str | None = None
    park: str | None = None
    dates: Mapping[str, str] = field(default_factory=dict)
    drop_reason: str | None = None
    investment: float | None = None
    expected_output: float | None = None
    owner: str | None = None
    source: str | None = None
    note: str | None = None

    @property
    def live(self) -> bool:
        """Whether the project is still going (not dropped)."""
        return self.stage != DROPPED


#: The keys a project's ``dates`` may hold: the stages in order, then ``dropped``.
PROJECT_DATE_KEYS = (*PROJECT_STAGES, DROPPED)


@runtime_checkable
class ProjectColumns(Protocol):
    """Projects that can also be read column by column (a snapshot's): an answer over tens of
    thousands of projects reads the few columns it needs instead of making a record of each."""

    def __len__(self) -> int: ...

    def project_column(self, name: str) -> Sequence[Any]:
        """Field ``name`` of :class:`Project` for every project, in order; ``dates.KEY`` (a key of
        :data:`PROJECT_DATE_KEYS`) is that date's text, ``None`` where the project has none."""


def project_column(projects: Sequence[Project], name: str) -> Sequence[Any]:
    """Field ``name`` (or ``dates.KEY``, see :class:`ProjectColumns`) of every project, in order:
    from the columns where ``projects`` keeps them, else from each record.

    Examples
    --------
    >>> ps = [Project("p", "P", "f", "li", "signed", dates={"signed": "2023-02"}), Project("q", "Q", "g", "li", "lead")]
    >>> project_column(ps, "firm"), project_column(ps, "dates.signed")
    (['f', 'g'], ['2023-02', None])
    """
    if isinstance(projects, ProjectColumns):
        return projects.project_column(name)
    if name.startswith("dates."):
        key = name[len("dates."):]
        return [p.dates.get(key) for p in projects]
    return [getattr(p, name) for p in projects]


def parse_project_date(text: str) -> tuple[_dt.date, _dt.date] | None:
    """The first and last day a project date can mean, or ``None`` if it is not a date.

    ``YYYY-MM-DD`` is one day; ``YYYY-MM`` (month precision) is every day of
    that month. ``/`` and ``.`` separators and full-width digits are accepted.

    Examples
    --------
    >>> parse_project_date("2023-01-28")
    (datetime.date(2023, 1, 28), datetime.date(2023, 1, 28))
    >>> parse_project_date("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> parse_project_date("2023-13") is None
    True
    """
    return _parsed_date(text)


@functools.lru_cache(maxsize=65536)
def _parsed_date(text: str) -> tuple[_dt.date, _dt.date] | None:
    # a pipeline holds a few thousand distinct date texts, read again and again
    return _date_bounds(normalise_project_date(text))


def normalise_project_date(text: str) -> str:
    """``text`` with full-width digits folded and ``/`` or ``.`` as ``-``: ``２０２３/3/2`` → ``2023-03-02``."""
    return _normalised_date(str(text))


@functools.lru_cache(maxsize=65536)
def _normalised_date(text: str) -> str:
    # 50,000 projects hold a few thousand distinct date texts: each is folded once
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).strip().replace("/", "-").replace(".", "-")
    parts = s.split("-")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return "-".join([parts[0]] + [p.zfill(2) for p in parts[1:]])
    return s


@functools.lru_cache(maxsize=65536)
def _date_bounds(s: str) -> tuple[_dt.date, _dt.date] | None:
    try:
        if len(s) == 7:
            first = _dt.date.fromisoformat(s + "-01")
            nxt = _dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, nxt - _dt.timedelta(days=1)
        if len(s) == 10:
            day = _dt.date.fromisoformat(s)
            return day, day
    except ValueError:
        return None
    return None


def project_date_problems(stage: str, dates: Mapping[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """What is wrong with a project's stage and dates, as ``(column, key, values)`` triples.

    ``key`` names the sentence in :mod:`chaingraph.i18n` (``project.*``) and ``values`` fills it,
    so the caller says the problem in the user's language. The rules (docs/dataset-format.md):
    every date parses; dates follow the stage order (a later stage is never *surely* before an
    earlier one: with month precision, ``2023-03`` and ``2023-03-10`` are in order either way);
    ``stage`` is at least the latest stage with a date; a ``dropped`` date needs stage ``dropped``.

    Examples
    --------
    >>> project_date_problems("signed", {"signed": "2023-01-28"})
    []
    >>> for p in project_date_problems("signed", {"signed": "2023-02", "registered": "2023-01-15"}):
    ...     print(p)
    ('registered', 'project.before', {'later': 'registered', 'date': '2023-01-15', 'earlier': 'signed', 'earlier_date': '2023-02'})
    ('stage', 'project.stage_before', {'stage': 'signed', 'last': 'registered'})
    """
    problems: list[tuple[str, str, dict[str, str]]] = []
    bounds = {}
    for s, text_ in dates.items():
        b = parse_project_date(text_)
        if b is None:
            problems.append((s, "project.not_a_date", {"column": s, "value": text_}))
        else:
            bounds[s] = b
    ordered = [s for s in PROJECT_STAGES if s in bounds]
    for i, later in enumerate(ordered):
        for earlier in ordered[:i]:
            if bounds[later][1] < bounds[earlier][0]:
                problems.append((later, "project.before", {"later": later, "date": dates[later], "earlier": earlier,
                                                           "earlier_date": dates[earlier]}))
                break
    if DROPPED in bounds:
        if stage != DROPPED:
            problems.append((DROPPED, "project.dropped_stage", {"stage": stage}))
        last = ordered[-1] if ordered else None
        if last and bounds[DROPPED][1] < bounds[last][0]:
            problems.append((DROPPED, "project.dropped_before", {"date": dates[DROPPED], "last": last,
                                                                 "last_date": dates[last]}))
    if stage in PROJECT_STAGE_ORDER and ordered and PROJECT_STAGE_ORDER[ordered[-1]] > PROJECT_STAGE_ORDER[stage]:
        problems.append(("stage", "project.stage_before", {"stage": stage, "last": ordered[-1]}))
    return problems


def period_bounds(text: str) -> tuple[_dt.date, _dt.date] | None:
    """The first and last day of a period: a year ``2023``, a quarter ``2023-Q2``, a month ``2023-04``
    or a range ``2023-01-15..2023-06-30``; ``None`` if ``text`` is none of these.

    Examples
    --------
    >>> period_bounds("2023")
    (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    >>> period_bounds("2023-Q2")
    (datetime.date(2023, 4, 1), datetime.date(2023, 6, 30))
    >>> period_bounds("2023-02..2023-03-10")
    (datetime.date(2023, 2, 1), datetime.date(2023, 3, 10))
    """
    s = str(text).strip().upper()
    if ".." in s:
        a, _, b = s.partition("..")
        lo, hi = parse_project_date(a), parse_project_date(b)
        return (lo[0], hi[1]) if lo and hi and lo[0] <= hi[1] else None
    if len(s) == 4 and s.isdigit():
        return _dt.date(int(s), 1, 1), _dt.date(int(s), 12, 31)
    if len(s) in (6, 7) and s[:4].isdigit() and s[-2] == "Q" and s[-1] in "1234":
        q = int(s[-1])
        first = _dt.date(int(s[:4]), 3 * q - 2, 1)
        last = parse_project_date(f"{s[:4]}-{3 * q:02d}")
        return (first, last[1]) if last else None
    return parse_project_date(s) if len(s) <= 7 else None
