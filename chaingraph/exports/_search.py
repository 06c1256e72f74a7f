"""Search keys of the offline pages: what the search box compares a typed query with.

Terms
-----
search key
    One text per node: its id, name, English name and aliases, each
    *folded*: Unicode NFKC (full-width letters and brackets become ASCII),
    lower case, traditional Chinese converted to simplified (OpenCC ``t2s``),
    spaces and punctuation removed, joined by ``|``. ``蘭鈞新能源科技有限公司``
    and ``兰钧新能源科技有限公司`` fold to the same text.
fold map
    The page's query is typed in a browser, which has no OpenCC; the page
    carries, for every simplified character its names use, the traditional
    forms that OpenCC's ``s2t``, ``s2tw`` and ``s2hk`` give for it. The page
    folds a query with NFKC, lower case and this map, so ``蘭鈞`` finds 兰钧.

The conversion is done here in Python, once per page, so the page needs no
dictionary of its own beyond the characters it shows.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["fold", "search_key", "fold_map"]

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


@functools.cache
def _converter(config: str) -> Any:
    import opencc  # OpenCC's dictionaries (PyPI ``opencc``), loaded once per config

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """``text`` folded for search (see the module docstring).

    Examples
    --------
    >>> fold("蘭鈞新能源 (BatteroTech)"), fold("ＬＡＮＪＵＮ")
    ('兰钧新能源batterotech', 'lanjun')
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    if not folded.isascii():
        folded = _converter("t2s").convert(folded)
    return _DROP.sub("", folded)


def search_key(node_id: str, attrs: Mapping[str, Any]) -> str:
    """The search key of one node: its folded id, names and aliases, joined by ``|``.

    Examples
    --------
    >>> search_key("lanjun", {"name": "兰钧新能源", "name_en": "Lanjun New Energy", "aliases": ("蘭鈞",)})
    'lanjun|兰钧新能源|lanjunnewenergy|兰钧'
    """
    aliases = attrs.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a for a in re.split(r"[;；|]", aliases) if a]
    texts = [node_id, attrs.get("name"), attrs.get("name_en"), *aliases]
    return "|".join(dict.fromkeys(k for k in (fold(str(t)) for t in texts if t) if k))


def fold_map(keys: Iterable[str]) -> dict[str, str]:
    """Traditional character to simplified, for every character of ``keys`` that has another form.

    Examples
    --------
    >>> sorted(fold_map(["兰钧"]).items())
    [('蘭', '兰'), ('鈞', '钧')]
    """
    chars = sorted({c for k in keys for c in k if not c.isascii()})
    out: dict[str, str] = {}
    if not chars:
        return out
    for config in ("s2t", "s2tw", "s2hk"):
        # One call per config on the joined characters: OpenCC converts character by character
        # when there is no phrase to match, and a newline keeps phrases apart.
        converted = _converter(config).convert("\n".join(chars)).split("\n")
        for simple, trad in zip(chars, converted):
            if len(trad) == 1 and trad != simple:
                out.setdefault(trad, simple)
    return out
