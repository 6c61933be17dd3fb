"""What a typed search means: its words, and the digits of a phone number in it."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from contacts.phones import normalize_phone

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_WORDS = 8
MIN_DIGITS = 4  # fewer digits match too many numbers to mean anything

# Letters and digits; the underscore and punctuation separate words, as in both indexes.
WORD = re.compile(r"[^\W_]+")
PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+")


class QueryTooShort(ValueError):
    pass


def fold(text: str) -> str:
    """Lower case without accents: how both indexes compare words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...]  # folded, each matched as a word prefix
    terms: tuple[str, ...]  # the same words as typed, for contains-matches
    digits: tuple[str, ...]  # digit strings a phone number or address may contain

    @property
    def is_phone(self) -> bool:
        return bool(self.digits)


def parse(raw: str) -> Query:
    """`raw` as a Query; QueryTooShort under MIN_LENGTH characters (or with no word)."""
    text = " ".join(raw.split())[:MAX_LENGTH]
    if len(text) < MIN_LENGTH:
        raise QueryTooShort(f"Type at least {MIN_LENGTH} characters.")
    terms = tuple(dict.fromkeys(WORD.findall(text)))[:MAX_WORDS]
    if not terms:
        raise QueryTooShort("Type a word or a number.")
    words = tuple(dict.fromkeys(fold(term) for term in terms))
    return Query(text=text, words=words, terms=terms, digits=_phone_digits(text))


def _phone_digits(text: str) -> tuple[str, ...]:
    """The digits to look for when `text` is (part of) a phone number, however typed.

    The digits as typed find a fragment ("7946 0958"); the E.164 form, read with the
    desk's default region, finds a whole number typed nationally ("020 7946 0958") or
    with an international prefix ("0044 20 7946 0958").
    """
    if not PHONE_LIKE.fullmatch(text):
        return ()
    typed = re.sub(r"\D", "", text)
    if len(typed) < MIN_DIGITS:
        return ()
    found = [typed]
    with contextlib.suppress(ValidationError):
        found.append(normalize_phone(text).lstrip("+"))
    # A national number's leading zero is a trunk prefix, never stored in E.164.
    if typed.startswith("0") and len(typed.lstrip("0")) >= MIN_DIGITS:
        found.append(typed.lstrip("0"))
    return tuple(dict.fromkeys(found))
