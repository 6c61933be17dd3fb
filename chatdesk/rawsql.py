"""SQL written once for a few hot reads: table and column names, and `Columns`, which
turns a row into model instances as the ORM would.

Why: on a small indexed lookup Django composing the query (filters, joins, the select
list, the converters) costs several times running it (docs/performance.md, scenarios 3
and 5). Other reads of one model use Django's own `Manager.raw()`. `Columns` reads a
row into model instances directly: for a join read into several models at once (a
reply's claimed read), which `raw()` cannot do, and for the socket handshake's token
lookup, where `raw()`'s own work cost the handshake more than the threshold for keeping
an override. It leans on Django internals (`Field.get_col`, the database converters,
`Model.from_db`), so tests/foundation/test_framework_internals.py pins each of them: a
Django upgrade that changes one fails there, not in production.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    start: int
    names: list[str]
    pk_index: int
    converters: list[tuple[int, Col, list[Callable]]]


class Columns:
    """The select list of `parts` ((model, table alias) pairs, in order) and the row reader."""

    def __init__(self, parts: Sequence[tuple[type[Model], str]]) -> None:
        quote = connection.ops.quote_name
        selected: list[str] = []
        self._parts: list[_Part] = []
        for model, alias in parts:
            fields = model._meta.concrete_fields
            converters = []
            for index, field in enumerate(fields):
                col = field.get_col(alias)
                found = _db_converters(col)
                if found:
                    converters.append((index, col, found))
            names = [field.attname for field in fields]
            pk_index = names.index(model._meta.pk.attname)
            self._parts.append(_Part(model, len(selected), names, pk_index, converters))
            selected += [f"{alias}.{quote(field.column)}" for field in fields]
        self.sql = ", ".join(selected)

    def instances(self, row: Sequence[object]) -> list[Model | None]:
        """One saved instance per part; None for a part whose primary key is NULL (an
        outer join that found nothing)."""
        found: list[Model | None] = []
        for part in self._parts:
            values = list(row[part.start : part.start + len(part.names)])
            if values[part.pk_index] is None:
                found.append(None)
                continue
            for index, column, converters in part.converters:
                for convert in converters:
                    values[index] = convert(values[index], column, connection)
            found.append(part.model.from_db(connection.alias, part.names, values))
        return found


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _db_converters(col: Col) -> list[Callable]:
    # The database's own conversions, as the ORM applies them (on SQLite a datetime
    # column arrives naive; PostgreSQL needs none).
    return connection.ops.get_db_converters(col) + col.get_db_converters(connection)


def converter(model: type[Model], field: str) -> Callable[[object], object]:
    """The ORM's conversion of one selected column's raw value, for a statement the ORM
    cannot write (the outbox's batch read of each customer's last message)."""
    col = model._meta.get_field(field).get_col(model._meta.db_table)
    found = _db_converters(col)

    def convert(value: object) -> object:
        for step in found:
            value = step(value, col, connection)
        return value

    return convert
