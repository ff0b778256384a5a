"""Invisible and bidirectional control characters: removed before matching, shown as escapes on display."""

from __future__ import annotations

import re

# Zero-width spaces and joiners, word joiner, invisible operators, byte-order mark, soft hyphen.
INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
# Bidirectional embeddings, overrides, isolates and marks: they can reorder the text shown after them.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROL_RE = re.compile(f"[{INVISIBLE}{BIDI}]")
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})


def neutralize(text: str) -> str:
    """The text with invisible and bidirectional control characters removed and odd spaces made plain."""
    return CONTROL_RE.sub("", text).translate(_SPACES)


def escape_controls(text: str) -> str:
    """The text with each control character written as a visible escape such as <U+202E>."""
    return CONTROL_RE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def control_pieces(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_control) runs, so a template can mark each control visibly."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in CONTROL_RE.finditer(text):
        if m.start() > last:
            pieces.append((text[last:m.start()], False))
        pieces.append((f"U+{ord(m.group()):04X}", True))
        last = m.end()
    if last < len(text) or not pieces:
        pieces.append((text[last:], False))
    return pieces
