"""Twilio's form-encoded bodies as a multi-valued mapping the request validator understands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qsl

from ..base import MalformedPayload, Payload


class FormParams(Mapping[str, str]):
    """Like Django's QueryDict: item access gives the last value, getlist() gives all."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._lists: dict[str, list[str]] = {}
        for name, value in pairs:
            self._lists.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> str:
        return self._lists[name][-1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def getlist(self, name: str) -> list[str]:
        return list(self._lists.get(name, []))


def form_params(payload: Payload) -> Mapping[str, str]:
    """Parsed parameters from a raw body; already parsed ones (a QueryDict) pass through.

    Blank values are kept: Twilio signs them too (ToCity= is part of the signature).
    """
    if isinstance(payload, Mapping):
        return payload
    try:
        body = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedPayload(f"Form body is not UTF-8: {exc}") from exc
    try:
        return FormParams(parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body)))
    except ValueError as exc:
        raise MalformedPayload(f"Not a form-encoded body: {exc}") from exc
