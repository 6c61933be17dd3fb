"""Real files of every allowed type, made in the test run (no binaries in the repo).

Office 97-2003 files are OLE2 compound files; `compound_file` writes a minimal but
valid one (CFB v3, one stream in regular sectors) that olefile and Office parse.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pillow_heif
from PIL import Image

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _dir_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    entry = encoded.ljust(64, b"\0")
    entry += struct.pack("<HBB", len(encoded), kind, 1)
    entry += struct.pack("<III", NOSTREAM, NOSTREAM, child)
    entry += b"\0" * 16 + b"\0" * 4 + b"\0" * 16
    entry += struct.pack("<IQ", start, size)
    return entry


def compound_file(stream_name: str, payload: bytes) -> bytes:
    payload = payload.ljust(4096, b"\0")  # at the mini-stream cutoff: regular sectors
    data_sectors = -(-len(payload) // SECTOR)
    fat = [FATSECT, ENDOFCHAIN]
    fat += [2 + i + 1 for i in range(data_sectors - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    directory = _dir_entry("Root Entry", 5, 1, ENDOFCHAIN, 0)
    directory += _dir_entry(stream_name, 2, NOSTREAM, 2, len(payload))
    directory += _dir_entry("", 0, NOSTREAM, 0, 0) * 2
    body = struct.pack("<128I", *fat) + directory + payload.ljust(data_sectors * SECTOR, b"\0")
    return header + body


def ooxml(main_part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main_part, '<?xml version="1.0"?><root/>')
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def heif() -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (10, 120, 200))).save(out, quality=60)
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

ALLOWED_SAMPLES = {
    "pdf": lambda: PDF,
    "doc": lambda: compound_file("WordDocument", b"\xec\xa5\xc1\x00 word"),
    "xls": lambda: compound_file("Workbook", b"\x09\x08 excel"),
    "ppt": lambda: compound_file("PowerPoint Document", b"ppt"),
    "docx": lambda: ooxml("word/document.xml"),
    "xlsx": lambda: ooxml("xl/workbook.xml"),
    "pptx": lambda: ooxml("ppt/presentation.xml"),
    "txt": lambda: "Order #4821 — café ☕\nThanks!\n".encode(),
    "rtf": lambda: rb"{\rtf1\ansi Hello {\b world}.}",
    "jpg": lambda: image("JPEG"),
    "png": lambda: image("PNG"),
    "gif": lambda: image("GIF"),
    "bmp": lambda: image("BMP"),
    "webp": lambda: image("WEBP"),
    "tif": lambda: image("TIFF"),
    "heic": heif,
}
