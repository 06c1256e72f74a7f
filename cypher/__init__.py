"""The Cypher statements of the database store, read by name from ``cypher/*.cypher``.

Each file holds one statement (``create_constraints.cypher``,
``create_indexes_falkordb.cypher`` and ``create_firm_indexes_falkordb.cypher``
hold one per line), named ``verb_noun``,
and starts with ``//`` comment lines that name its ``$parameters``. The files
ship as the package ``chaingraph.cypher``, so
:func:`importlib.resources.files` finds them in editable and wheel installs.
Labels and relationship types are written into the files; every value is a
parameter.

This code is the package ``chaingraph.cypher`` itself (``cypher/__init__.py``)
rather than a module ``chaingraph/cypher.py``: a module and a package of the
same name shadow each other (the module wins in editable installs, the package
in wheels), so only the package can both hold the code and ship the files.
"""
from __future__ import annotations

import functools
import re
from importlib import resources

from chaingraph.errors import StoreError

__all__ = ["load", "names", "statement", "statements", "header", "declared_parameters", "used_parameters"]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@functools.cache
def names() -> list[str]:
    """Names of the available statements (file names without ``.cypher``), sorted.

    Examples
    --------
    >>> "create_firms" in names()
    True
    """
    folder = resources.files(__name__)
    return sorted(p.name[: -len(".cypher")] for p in folder.iterdir() if p.name.endswith(".cypher"))


@functools.cache
def load(name: str) -> str:
    """The text of ``cypher/NAME.cypher``, header comments included.

    Raises
    ------
    StoreError
        For an unknown name; the message lists the available ones.

    Examples
    --------
    >>> load("merge_chains").splitlines()[0]
    '// Chain nodes. Parameters: $rows (id, name, name_en, seq)'
    """
    if name not in names():
        msg = f"no Cypher statement named {name!r}; available: {', '.join(names())}"
        raise StoreError(msg)
    return resources.files(__name__).joinpath(f"{name}.cypher").read_text(encoding="utf-8")


def header(name: str) -> str:
    """The leading ``//`` comment lines of a statement, without the slashes."""
    lines = []
    for line in load(name).splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)


def _body(name: str) -> str:
    return "\n".join(line for line in load(name).splitlines() if not line.lstrip().startswith("//"))


@functools.cache
def statement(name: str) -> str:
    """The statement of ``cypher/NAME.cypher`` without its header: the text sent to the server.

    Comments cost bytes in every message, and FalkorDB's Bolt endpoint takes
    messages of 4 KB at most.

    Examples
    --------
    >>> statement("merge_chains").splitlines()[0]
    'UNWIND $rows AS row'
    """
    return _body(name).strip()


def declared_parameters(name: str) -> set[str]:
    """The ``$parameters`` the header of a statement names.

    Examples
    --------
    >>> sorted(declared_parameters("firms_named_like"))
    ['limit', 'prefix']
    """
    return set(_PARAM.findall(header(name)))


def used_parameters(name: str) -> set[str]:
    """The ``$parameters`` the statement itself uses (string literals ignored)."""
    return set(_PARAM.findall(_STRING.sub("''", _body(name))))


def statements(name: str) -> list[str]:
    """The statements of a one-statement-per-line file such as ``create_constraints``."""
    return [line.strip() for line in _body(name).splitlines() if line.strip()]
