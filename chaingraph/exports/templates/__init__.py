"""The HTML, CSS and JavaScript of the offline pages, shipped as package data.

``page.html`` is the page skeleton, filled with :meth:`str.format` (its only
braces are the placeholders; every value is escaped by the caller),
``page.css`` its style sheet and ``page.js`` the script that draws the graph
from the page's JSON data block and fills the side panel.
:mod:`chaingraph.exports.html` reads them with
:func:`importlib.resources.files`, which finds them in editable and wheel
installs alike.
"""
from __future__ import annotations

__all__: list[str] = []
