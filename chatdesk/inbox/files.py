"""What a file really is, decided by its bytes, never by its name or the client's header.

The API (docs/api.md, Files) accepts PDF, DOC, DOCX, PPT, PPTX, XLS, XLSX, TXT, RTF,
JPG, PNG, GIF, BMP, WEBP, TIFF, HEIF/HEIC. Office files are recognised by their structure: the
streams of an OLE2 compound file (olefile) or the parts of an OOXML zip, not by
magic-number guesses; `filetype` reads the magic numbers of the rest. Plain text
has none, so it is accepted only when it decodes as text without control
characters. Images must also open and verify in Pillow.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import filetype
import olefile
import pillow_heif
from PIL import Image, UnidentifiedImageError

pillow_heif.register_heif_opener()

ALLOWED = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "tif": "image/tiff",
    "heic": "image/heic",
    "txt": "text/plain",
}
# Text that a browser would run as a page or an image: a .txt must not be a disguise.
# Leading comments are skipped: `<!-- x --><svg ...>` is still an SVG to a browser.
# A comment's body cannot contain "-->", so there is one parse and no backtracking blow-up.
MARKUP = re.compile(
    r"^\ufeff?\s*(<!--(?:(?!-->).)*-->\s*)*"
    r"<(!doctype|html|head|body|svg|script|iframe|\?xml|meta|object|embed)",
    re.IGNORECASE | re.DOTALL,
)
IMAGE_KINDS = {"jpg", "png", "gif", "bmp", "webp", "tif", "heic"}
# Pixels an image may have: a tiny file that inflates to gigabytes is refused.
MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)


class UnsupportedFile(ValueError):
    """The bytes are not one of the allowed types (HTTP 415)."""


@dataclass(frozen=True)
class Detected:
    extension: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.extension in IMAGE_KINDS


# The stream (OLE2) or part (OOXML) that makes a file a Word, Excel or PowerPoint file.
OLE_STREAMS = (
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),
    ("PowerPoint Document", "ppt"),
)
OOXML_PARTS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)


def _office(data: bytes) -> str | None:
    if data.startswith(olefile.MAGIC):
        try:
            with olefile.OleFileIO(data) as ole:
                return next((ext for name, ext in OLE_STREAMS if ole.exists(name)), None)
        except OSError:
            return None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            return next((ext for part, ext in OOXML_PARTS if part in names), None)
    return None


def detect(data: bytes) -> Detected:
    if not data:
        raise UnsupportedFile("The file is empty.")
    office = _office(data)
    if office:
        return Detected(office, ALLOWED[office])
    if data.startswith((olefile.MAGIC, b"PK\x03\x04")):
        raise UnsupportedFile("Only Word, Excel and PowerPoint files are accepted in this format.")
    kind = filetype.guess(data)
    if kind is None:
        text = _plain_text(data)
        if text is not None:
            # Matched on the decoded text: UTF-16 markup has NULs between its bytes.
            if MARKUP.match(text[:4096]):
                raise UnsupportedFile("HTML, SVG and XML files cannot be sent.")
            return Detected("txt", ALLOWED["txt"])
        raise UnsupportedFile("This type of file cannot be sent.")
    extension = {"jpx": "jpg"}.get(kind.extension, kind.extension)
    if extension not in ALLOWED:
        raise UnsupportedFile(f"Files of type {kind.extension.upper()} cannot be sent.")
    detected = Detected(extension, ALLOWED[extension])
    if detected.is_image:
        _verify_image(data)
    return detected


def _plain_text(data: bytes) -> str | None:
    """The decoded text when `data` is plain text, else None."""
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Text, not a binary that happens to decode: no control characters but layout ones.
        if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
            return None
        return text
    return None


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (
            UnidentifiedImageError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ) as exc:
            raise UnsupportedFile("The image could not be read.") from exc
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise UnsupportedFile("The image has too many pixels.")
    return image


def _verify_image(data: bytes) -> None:
    try:
        _open(data).verify()  # structure and checksums
        _open(data).load()  # verify() does not decode: a truncated file fails only here
    except UnsupportedFile:
        raise
    except Exception as exc:  # Pillow raises many types for a corrupt file
        raise UnsupportedFile("The image is damaged.") from exc


def thumbnail(data: bytes) -> bytes:
    """A small WEBP preview of an image (the first frame of an animation)."""
    image = _open(data)
    image.seek(0)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    image.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=80)
    return out.getvalue()
