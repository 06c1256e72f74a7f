"""The one exception hierarchy of chaingraph.

Every message says what is wrong and how to fix it. The CLI turns any
:class:`ChainGraphError` into a one-line ``Error: ...`` and exit code 1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "redact",
    "ChainGraphError",
    "DatasetError",
    "DatasetErrors",
    "Problem",
    "UnknownFirmError",
    "UnknownRegionError",
    "UnknownNameError",
    "AmbiguousNameError",
    "StoreError",
]


class ChainGraphError(Exception):
    """Base class of every error chaingraph raises on purpose.

    ``key`` names the message in :mod:`chaingraph.i18n` (``error.*``) and
    ``values`` fills its placeholders, so the CLI can say it in the user's
    language; ``str()`` stays the English message given.
    """

    def __init__(self, *args: object, key: str = "", **values: object) -> None:
        super().__init__(*args)
        self.key = key
        self.values = values


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a dataset, located as an editor shows it (the header is line 1)."""

    file: str
    line: int
    column: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class DatasetError(ChainGraphError, ValueError):
    """A dataset file is missing, unreadable or holds a bad value.

    Carries ``file``, ``line`` (1-based, header is line 1; 0 when the whole
    file is concerned), ``column`` and a ``hint`` saying how to fix it.
    """

    def __init__(self, file: str, line: int, message: str, *, column: str = "", hint: str = "") -> None:
        self.problem = Problem(file, line, column, message, hint)
        self.file, self.line, self.column, self.hint = file, line, column, hint
        super().__init__(str(self.problem))


class DatasetErrors(DatasetError):
    """Every problem found in a dataset, raised once after checking all files.

    ``problems`` lists them in file and line order; ``str()`` gives one per line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        first = self.problems[0]
        super().__init__(first.file, first.line, first.message, column=first.column, hint=first.hint)
        self.args = ("\n".join(str(p) for p in self.problems),)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownFirmError(ChainGraphError, KeyError):
    """A firm named on the command line is not in the graph; lists close matches."""

    def __init__(self, name: str, matches: list[str] | None = None) -> None:
        self.name = name
        self.matches = list(matches or [])
        msg = f"no firm with id or name {name!r}"
        if self.matches:
            msg += "; did you mean: " + ", ".join(self.matches)
        else:
            msg += "; run 'chaingraph info SOURCE' to list anchors, or check the id in firms.csv"
        self.msg = msg
        super().__init__(msg, key="error.unknown_firm.close" if self.matches else "error.unknown_firm",
                         name=name, matches=", ".join(self.matches))

    def __str__(self) -> str:
        return self.msg


class UnknownRegionError(ChainGraphError, KeyError):
    """A region named on the command line or in an analysis call is not in the graph."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.msg = f"no region with id {region!r}; pass a region id from regions.csv (see 'chaingraph info SOURCE')"
        super().__init__(self.msg, key="error.unknown_region", region=region)

    def __str__(self) -> str:
        return self.msg


class UnknownNameError(ChainGraphError, KeyError):
    """A chain, segment or region named on the command line matches nothing; lists close matches."""

    def __init__(self, kind: str, name: str, matches: list[str] | None = None,
                 choices: list[str] | None = None) -> None:
        self.kind, self.name = kind, name
        self.matches = list(matches or [])
        msg = f"no {kind} with id or name {name!r}; "
        if self.matches:
            msg += "did you mean: " + ", ".join(self.matches)
        elif choices:
            msg += "use one of: " + ", ".join(choices)
        else:
            msg += "run 'chaingraph info SOURCE' to list the ids and names"
        self.msg = msg
        super().__init__(msg)

    def __str__(self) -> str:
        return self.msg


class AmbiguousNameError(ChainGraphError, LookupError):
    """A name matches several firms (or chains, segments, regions); lists every candidate.

    ``candidates`` holds ``(id, name, region)`` triples; the message asks for the id.
    """

    def __init__(self, kind: str, name: str, candidates: list[tuple[str, str, str]]) -> None:
        self.kind, self.name = kind, name
        self.candidates = list(candidates)
        listed = "; ".join(f"{i} ({n}{', ' + r if r else ''})" for i, n, r in self.candidates)
        self.msg = (f"{name!r} matches {len(self.candidates)} {kind}s: {listed}; "
                    f"pass the id of the one you mean")
        super().__init__(self.msg)

    def __str__(self) -> str:
        return self.msg


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
