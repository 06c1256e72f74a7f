"""Firm identity: which firm, chain, segment or region a name typed by a person means.

Terms
-----
normalised name
    A name folded so that the ways people write one firm compare equal:
    Unicode NFKC (full-width brackets, letters and digits become ASCII),
    lower case, traditional Chinese converted to simplified (OpenCC ``t2s``),
    spaces and punctuation removed, and one trailing legal suffix dropped
    (有限公司, 股份有限公司, 有限责任公司, Co., Ltd., Inc. ...). ``蘭鈞新能源科技有限公司``,
    ``兰钧新能源科技`` and ``兰钧 新能源科技（有限公司）`` all normalise to ``兰钧新能源科技``.
entry
    One thing a name may mean: its id, name, English name and aliases (简称,
    曾用名, stock codes, English short names), and where it is (a firm's region)
    for listing candidates.

Matching rule (:meth:`NameIndex.match`)
---------------------------------------
1. The id, exactly as typed, wins.
2. Otherwise an *exact* match of the normalised query with the normalised id,
   name, English name or an alias of one entry wins.
3. Otherwise a *prefix* match (a normalised name starts with the query),
   then a *containment* match (the query is inside a name, or a name of three
   characters or more is inside the query: the full registered name typed when
   the file holds the short one) is accepted when it names one entry; it is
   logged on the ``chaingraph.names`` logger, which the CLI echoes on stderr.
4. Several entries on the first tier that matches raise
   :class:`~chaingraph.errors.AmbiguousNameError` listing every candidate;
   never the first silently.
5. No match raises :class:`~chaingraph.errors.UnknownFirmError` (or
   :class:`~chaingraph.errors.UnknownNameError` for other kinds) with the
   closest names by ``rapidfuzz``.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from chaingraph.errors import AmbiguousNameError, UnknownFirmError, UnknownNameError

__all__ = ["LEGAL_SUFFIXES", "Entry", "NameMatch", "NameIndex", "normalise", "collisions"]

log = logging.getLogger(__name__)

#: Legal-form suffixes a name may carry or not, compared after normalising (longest first).
LEGAL_SUFFIXES = (
    "集团股份有限公司", "股份有限公司", "有限责任公司", "有限公司", "股份公司",
    "companylimited", "colimited", "coltd", "corporation", "limited", "ltd", "inc", "corp", "gmbh", "co",
)
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc  # a well-kept converter with OpenCC's dictionaries, loaded once

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The normalised form of a name (see the module docstring).

    Examples
    --------
    >>> normalise("蘭鈞新能源科技有限公司"), normalise("格科微电子（浙江）有限公司")
    ('兰钧新能源科技', '格科微电子浙江')
    >>> normalise("GalaxyCore Microelectronics (Zhejiang) Co., Ltd."), normalise(" LANJUN ")
    ('galaxycoremicroelectronicszhejiang', 'lanjun')
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    if not folded.isascii():
        folded = _converter().convert(folded)
    key = _DROP.sub("", folded)
    for suffix in LEGAL_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class Entry:
    """One thing a name may mean; ``where`` (a region name) is shown when a name is ambiguous."""

    id: str
    name: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    where: str = ""

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.name_en, *self.aliases) if n)


@dataclass(frozen=True)
class NameMatch:
    """Which entry ``query`` means, and how: ``id``, ``exact``, ``prefix`` or ``contains``."""

    query: str
    id: str
    how: Literal["id", "exact", "prefix", "contains"]
    name: str

    @property
    def echoed(self) -> bool:
        """Whether a person should be told (a prefix or containment match)."""
        return self.how in ("prefix", "contains")


class NameIndex:
    """Normalised keys of some entries, for :meth:`match` (see the module docstring).

    Examples
    --------
    >>> idx = NameIndex([Entry("lanjun", "兰钧新能源科技有限公司", "Lanjun New Energy", ("兰钧",)),
    ...                  Entry("rept", "瑞浦兰钧能源股份有限公司", "REPT BATTERO")], kind="firm")
    >>> [idx.match(q).id for q in ("蘭鈞新能源科技", "LANJUN", "兰钧")]
    ['lanjun', 'lanjun', 'lanjun']
    >>> m = idx.match("瑞浦"); (m.id, m.how)
    ('rept', 'prefix')
    """

    def __init__(self, entries: Iterable[Entry], *, kind: str = "firm") -> None:
        self.kind = kind
        self.entries: list[Entry] = list(entries)
        self.by_id = {e.id: i for i, e in enumerate(self.entries)}
        self.keys: list[tuple[str, int, bool]] = []  # (normalised key, entry, is a name rather than the id)
        for i, e in enumerate(self.entries):
            seen = set()
            for text, is_name in ((e.id, False), *((n, True) for n in e.names())):
                k = normalise(text)
                if k and k not in seen:
                    seen.add(k)
                    self.keys.append((k, i, is_name))

    def match(self, query: str) -> NameMatch:
        """The entry ``query`` means.

        Raises
        ------
        AmbiguousNameError
            When the first tier that matches holds several entries.
        UnknownFirmError, UnknownNameError
            When nothing matches; with the closest names.
        """
        text = query.strip()
        if text in self.by_id:
            return NameMatch(query, text, "id", self.entries[self.by_id[text]].name)
        q = normalise(text)
        tiers: tuple[tuple[Literal["exact", "prefix", "contains"], Any], ...] = (
            ("exact", lambda k, is_name: k == q),
            ("prefix", lambda k, is_name: len(q) >= 2 and k.startswith(q)),
            ("contains", lambda k, is_name: (len(q) >= 2 and q in k) or (is_name and len(k) >= 3 and k in q)),
        )
        for how, test in tiers:
            hits = sorted({i for k, i, is_name in self.keys if test(k, is_name)},
                          key=lambda i: self.entries[i].id)
            if len(hits) == 1:
                e = self.entries[hits[0]]
                found = NameMatch(query, e.id, how, e.name or e.name_en)
                if found.echoed:
                    log.info("%s -> %s %s", query, e.id, found.name, extra={"name_match": found})
                return found
            if hits:
                candidates = [(self.entries[i].id, self.entries[i].name or self.entries[i].name_en,
                               self.entries[i].where) for i in hits]
                raise AmbiguousNameError(self.kind, query, candidates)
        close = self.close_matches(q)
        if self.kind == "firm":
            raise UnknownFirmError(query, close)
        few = [e.id for e in sorted(self.entries, key=lambda e: e.id)] if len(self.entries) <= 30 else None
        raise UnknownNameError(self.kind, query, close, few)

    def close_matches(self, q: str, n: int = 5) -> list[str]:
        """Up to ``n`` names closest to the normalised query ``q``, as ``name (id)``."""
        if not q or not self.keys:
            return []
        from rapidfuzz import fuzz, process

        found = process.extract(q, [k for k, _, _ in self.keys], scorer=fuzz.WRatio, limit=4 * n,
                                score_cutoff=60)
        out: list[str] = []
        for _, _, pos in found:
            e = self.entries[self.keys[pos][1]]
            label = f"{e.name or e.name_en} ({e.id})" if (e.name or e.name_en) else e.id
            if label not in out:
                out.append(label)
        return out[:n]


def collisions(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """Normalised names (name, English name or alias) that several entries share, with those entries.

    Examples
    --------
    >>> [(k, [e.id for e in es]) for k, es in collisions([Entry("a", "东方明珠"), Entry("b", "東方明珠"),
    ...                                                   Entry("c", "别的")])]
    [('东方明珠', ['a', 'b'])]
    """
    owners: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        for k in {normalise(n) for n in e.names()} - {""}:
            owners.setdefault(k, []).append(i)
    return [(k, [entries[i] for i in ids]) for k, ids in sorted(owners.items()) if len(ids) > 1]
