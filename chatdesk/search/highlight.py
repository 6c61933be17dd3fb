"""Where a query matched in a text: ranges over the plain text, never markup.

The API returns text and `[start, end)` ranges counted in Unicode code points; the client
builds the marks from text nodes, so a message holding HTML is shown as the text it is.
"""

from __future__ import annotations

import re

from chatdesk.search.query import WORD, Query, fold

SNIPPET = 160  # characters of a message shown around its first match
LEAD = 40  # of them before the match


def word_ranges(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """The words of `text` that begin with one of `words` (both folded)."""
    ranges = []
    for match in WORD.finditer(text):
        folded = fold(match.group())
        for word in words:
            if folded.startswith(word):
                # Folding can shorten a word ("ß" stays, combining marks go): mark the
                # typed part when the lengths agree, else the whole word.
                same = len(folded) == len(match.group())
                end = match.start() + len(word) if same else match.end()
                ranges.append((match.start(), end))
                break
    return ranges


def digit_ranges(text: str, digits: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where one of the digit strings occurs in `text`, ignoring what separates digits."""
    positions = [m.start() for m in re.finditer(r"\d", text)]
    only = "".join(text[p] for p in positions)
    for wanted in digits:
        at = only.find(wanted)
        if at >= 0:
            return [(positions[at], positions[at + len(wanted) - 1] + 1)]
    return []


def phrase_ranges(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where `phrase` occurs in `text` as typed, whatever the case (an e-mail, an address)."""
    lowered, wanted = text.casefold(), phrase.casefold()
    if len(lowered) != len(text) or not wanted:
        return []  # case folding changed the length: offsets would not line up
    found, at = [], lowered.find(wanted)
    while at >= 0:
        found.append((at, at + len(wanted)))
        at = lowered.find(wanted, at + len(wanted))
    return found


def ranges(text: str, query: Query) -> list[tuple[int, int]]:
    found = phrase_ranges(text, query.text) if len(query.terms) > 1 or query.digits else []
    found = found or (digit_ranges(text, query.digits) if query.digits else [])
    return _merge(found or word_ranges(text, query.words))


def snippet(text: str, query: Query) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around its first match, with the matches inside it."""
    found = ranges(text, query)
    flat = " ".join(text.split())
    if flat != text:  # line breaks and runs of spaces fold to one space in a snippet
        return snippet(flat, query) if flat else ("", [])
    if len(text) <= SNIPPET:
        return text, found
    start = max(0, (found[0][0] if found else 0) - LEAD)
    end = min(len(text), start + SNIPPET)
    start = max(0, end - SNIPPET)
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(a + shift, min(b, end) + shift) for a, b in found if a >= start and a < end]
    return prefix + text[start:end] + suffix, inside


def _merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def match(field: str, text: str, query: Query) -> dict:
    """What a contact or conversation hit says about why it matched."""
    return {"field": field, "text": text, "highlights": [list(r) for r in ranges(text, query)]}
