"""Writes that name a field the endpoint does not know are refused, not half-applied.

DRF drops unknown keys silently: an integrator who posts `{"text": "Hi"}` instead of
`{"body": "Hi"}` got "Write a message or attach a file." at best, and a PATCH with a
misspelt field answered 200 having changed nothing. Every write serializer of the API
mixes this in (first, before the DRF base), so the 400 names the stray field.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

# Sent by Django forms alongside the data; never a field of ours.
_IGNORED = frozenset({"csrfmiddlewaretoken"})


class RejectUnknownFieldsMixin:
    """400 `{"<field>": ["Unknown field; ..."]}` for keys the serializer does not have.

    Read-only fields count as known: a client may send back what it read (GET, change
    one thing, PUT), and DRF ignores those as before. Nested serializers that mix this
    in check their own level (a queue's `members`).
    """

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, Mapping):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(str(key) for key in data if key not in known and key not in _IGNORED)
            if unknown:
                accepted = ", ".join(
                    name
                    for name, field in self.fields.items()  # type: ignore[attr-defined]
                    if not field.read_only
                )
                message = f"Unknown field; this endpoint takes: {accepted}."
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]
