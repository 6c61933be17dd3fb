"""CSV of templates for admin's import and export: one row per template.

Columns: title, body, category (name), language, queue (name, empty for every
queue), shortcut (optional; a file without the column leaves codes unchanged).
Parsing only reads; `services.templates_import` writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from templates_app.models import QuickTemplate

COLUMNS = ("title", "body", "category", "language", "queue", "shortcut")


class CsvImportError(Exception):
    """The file was refused as a whole; `errors` name the lines."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class CsvRow:
    line: int
    title: str
    body: str
    category: str
    language: str
    queue: str
    shortcut: str | None = None


def templates_to_csv(templates: Iterable[QuickTemplate]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for template in templates:
        writer.writerow(
            [
                template.title,
                template.body,
                template.category.name if template.category else "",
                template.language,
                template.queue.name if template.queue else "",
                template.shortcut or "",
            ]
        )
    return out.getvalue()


def parse_csv(data: bytes) -> list[CsvRow]:
    """Rows of an uploaded file, each with the line it starts on (bodies may span lines)."""
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark first.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvImportError([f"The file is not UTF-8 text ({error.reason}).".strip()]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in ("title", "body") if name not in header]
    if missing:
        raise CsvImportError([f"Line 1: the header lacks the column(s) {', '.join(missing)}."])
    rows, errors, start = [], [], reader.line_num + 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                if len(values) > len(header):
                    errors.append(
                        f"Line {start}: {len(values)} fields, the header has {len(header)}."
                    )
                else:
                    rows.append(_row(start, dict(zip(header, values, strict=False))))
            start = reader.line_num + 1
    except csv.Error as error:
        raise CsvImportError([f"Line {start}: {error}."]) from None
    if errors:
        raise CsvImportError(errors)
    return rows


def _row(line: int, fields: dict[str, str]) -> CsvRow:
    return CsvRow(
        line=line,
        title=fields.get("title", "").strip(),
        body=fields.get("body", ""),
        category=fields.get("category", "").strip(),
        language=fields.get("language", "").strip() or "en",
        queue=fields.get("queue", "").strip(),
        shortcut=fields["shortcut"].strip() if "shortcut" in fields else None,
    )
