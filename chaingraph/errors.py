"""The one exception hierarchy of chaingraph.

Every message says what is wrong and how to fix it. The CLI turns any
:class:`ChainGraphError` into a one-line ``Error: ...`` (``错误：...``) and exit code 1.
Messages are keys of :mod:`chaingraph.i18n` with their values (:class:`Message`), said in the
user's language when they are printed; ``str()`` of an error is its English sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "redact",
    "say",
    "Message",
    "ChainGraphError",
    "DatasetError",
    "DatasetErrors",
    "Problem",
    "UnknownFirmError",
    "UnknownRegionError",
    "UnknownNameError",
    "AmbiguousNameError",
    "BadValueError",
    "StoreError",
]


class Message(str):
    """A sentence of :mod:`chaingraph.i18n` that can be said in any language: its key and values.

    A message *is* its English sentence (a ``str``: compared, sorted and hashed as that text), and
    :meth:`say` says it in another language. Errors carry messages rather than text, so that the
    command line says them in the user's language when it prints them. A value may be a
    :class:`Message` itself, or a list (of messages, or of names and ids: said in the same language
    and joined as that language joins a list).

    Examples
    --------
    >>> m = Message("error.depth", depth=-1)
    >>> m
    'depth is -1; give a number of FEEDS steps >= 0'
    >>> m.say("zh")
    '深度为 -1；请给出大于等于0的 FEEDS 步数'
    """

    key: str
    items: tuple[tuple[str, object], ...]

    def __new__(cls, key: str, /, **values: object) -> Message:
        items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))
        self = super().__new__(cls, _say(key, items, "en"))
        self.key, self.items = key, items
        return self

    @property
    def values(self) -> dict[str, object]:
        """The placeholders' values."""
        return dict(self.items)

    def say(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (``"zh"`` or ``"en"``), its values said in ``lang`` too."""
        return str(self) if lang == "en" else _say(self.key, self.items, lang)

    def with_values(self, **values: object) -> Message:
        """This message with some values replaced."""
        return Message(self.key, **(self.values | values))

    def __reduce__(self) -> tuple[Any, ...]:
        return _message, (self.key, self.values)


def _message(key: str, values: dict[str, object]) -> Message:
    return Message(key, **values)


def _say(key: str, items: tuple[tuple[str, object], ...], lang: str) -> str:
    # Imported here: errors sits above i18n, and `import chaingraph` stays light.
    from chaingraph.i18n import say

    return say(key, lang, {k: _said(v, lang) for k, v in items})


def _said(value: object, lang: str) -> object:
    if isinstance(value, (Message, ChainGraphError)):
        return value.say(lang)
    if isinstance(value, tuple):
        from chaingraph.i18n import say

        # sentences are separated like clauses, names and ids like the items of a list (、 in Chinese)
        sep = say("list.sep" if any(isinstance(v, Message) for v in value) else "and", lang, {})
        return sep.join(str(_said(v, lang)) for v in value)
    return value


def say(text: str, lang: str = "en") -> str:
    """``text`` in ``lang``: a :class:`Message` said, other text as it is."""
    return text.say(lang) if isinstance(text, Message) else text


class ChainGraphError(Exception):
    """Base class of every error chaingraph raises on purpose.

    ``key`` names the message in :mod:`chaingraph.i18n` (``error.*``) and
    ``values`` fills its placeholders, so the CLI can say it in the user's
    language (:meth:`say`); ``str()`` is the English sentence. An error raised
    without a key keeps the text it was given.
    """

    def __init__(self, *args: object, key: str = "", **values: object) -> None:
        super().__init__(*args)
        self.key = key
        self.values = values

    def say(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        if self.key:
            return Message(self.key, **self.values).say(lang)
        return super().__str__()

    def __str__(self) -> str:
        return self.say("en")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a dataset, located as an editor shows it (the header is line 1).

    ``message`` and ``hint`` are :class:`Message` objects (their English text; plain text stays
    as it is): ``str()`` says the problem in English, :meth:`say` in any language.
    """

    file: str
    line: int
    column: str
    message: str
    hint: str = ""

    def say(self, lang: str = "en") -> str:
        """``FILE:LINE: what is wrong (how to fix it)`` in ``lang``."""
        from chaingraph.i18n import say as say_key

        where = f"{self.file}:{self.line}" if self.line else self.file
        message = say(self.message, lang)
        if not self.hint:
            return say_key("problem", lang, {"where": where, "message": message})
        return say_key("problem.hint", lang, {"where": where, "message": message, "hint": say(self.hint, lang)})

    def __str__(self) -> str:
        return self.say("en")


class DatasetError(ChainGraphError, ValueError):
    """A dataset file is missing, unreadable or holds a bad value.

    Carries ``file``, ``line`` (1-based, header is line 1; 0 when the whole
    file is concerned), ``column`` and a ``hint`` saying how to fix it.
    """

    def __init__(self, file: str, line: int, message: str, *, column: str = "", hint: str = "") -> None:
        self.problem = Problem(file, line, column, message, hint)
        self.file, self.line, self.column, self.hint = file, line, column, hint
        super().__init__(file)

    def say(self, lang: str = "en") -> str:
        return self.problem.say(lang)


class DatasetErrors(DatasetError):
    """Every problem found in a dataset, raised once after checking all files.

    ``problems`` lists them in file and line order; ``str()`` gives one per line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        first = self.problems[0]
        super().__init__(first.file, first.line, first.message, column=first.column, hint=first.hint)

    def say(self, lang: str = "en") -> str:
        return "\n".join(p.say(lang) for p in self.problems)


class UnknownFirmError(ChainGraphError, KeyError):
    """A firm named on the command line is not in the graph; lists close matches."""

    def __init__(self, name: str, matches: list[str] | None = None) -> None:
        self.name = name
        self.matches = list(matches or [])
        super().__init__(name, key="error.unknown_firm.close" if self.matches else "error.unknown_firm",
                         name=name, matches=self.matches)


class UnknownRegionError(ChainGraphError, KeyError):
    """A region named on the command line or in an analysis call is not in the graph."""

    def __init__(self, region: str) -> None:
        self.region = region
        super().__init__(region, key="error.unknown_region", region=region)


class UnknownNameError(ChainGraphError, KeyError):
    """A chain, segment or region named on the command line matches nothing; lists close matches."""

    def __init__(self, kind: str, name: str, matches: list[str] | None = None,
                 choices: list[str] | None = None) -> None:
        self.kind, self.name = kind, name
        self.matches = list(matches or [])
        what = Message(f"kind.{kind}")
        if self.matches:
            key, listed = "error.unknown_name.close", self.matches
        elif choices:
            key, listed = "error.unknown_name.choices", list(choices)
        else:
            key, listed = "error.unknown_name", []
        super().__init__(name, key=key, kind=what, name=name, names=listed)


class AmbiguousNameError(ChainGraphError, LookupError):
    """A name matches several firms (or chains, segments, regions); lists every candidate.

    ``candidates`` holds ``(id, name, region)`` triples; the message asks for the id.
    """

    def __init__(self, kind: str, name: str, candidates: list[tuple[str, str, str]]) -> None:
        self.kind, self.name = kind, name
        self.candidates = list(candidates)
        listed = [Message("name.candidate.region" if r else "name.candidate", id=i, name=n, region=r)
                  for i, n, r in self.candidates]
        super().__init__(name, key="error.ambiguous_name", name=name, n=len(self.candidates),
                         kinds=Message(f"kind.{kind}.plural"), candidates=listed)


class BadValueError(ChainGraphError, ValueError):
    """A value written by a person (a size, a count, a day) that cannot be read; says how to write it."""


class StoreError(ChainGraphError):
    """A graph store cannot be opened or queried (server down, bad credentials, wrong version...)."""


# scheme://userinfo@ : the userinfo runs to the last "@" before a space or quote, so a password
# holding "@" or "/" is still covered (over-redacting a rare path is the safe side).
# "scheme:/" too: a URI taken for a path has its "//" folded into "/".
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]+:/{1,2})([^\s'\"<>]*)@")


def redact(text: str) -> str:
    """``text`` with the password of every URI in it replaced by ``***``.

    Anything that looks like ``scheme://user:password@host`` is redacted, wherever it appears in
    a message (a URI taken for a folder name is echoed back too); a user without a password stays.

    Examples
    --------
    >>> redact("no such folder: 'http://u:PW@host:7474'")
    "no such folder: 'http://u:***@host:7474'"
    >>> redact("falkordb://:PW@/g and bolt://neo4j@db:7687")
    'falkordb://:***@/g and bolt://neo4j@db:7687'
    >>> redact("http:/u:PW@host: no such folder")
    'http:/u:***@host: no such folder'
    """
    def hide(m: re.Match[str]) -> str:
        user, colon, _ = m.group(2).partition(":")
        return f"{m.group(1)}{user}{colon}***@" if colon else m.group(0)

    return _USERINFO.sub(hide, text)
