"""One check for every uploaded file: evidence and attachments, plan documents, ledger and air imports.

    check_upload(f, kinds=EVIDENCE)            → the safe name (also set on f.name); ValidationError if refused
    check_uploads(files, kinds=EVIDENCE)       → the same for several files of one field, with a total cap

* The type is read from the content (magic bytes), never from the name or the browser's Content-Type:
  JPEG, PNG, GIF, WebP, HEIC/HEIF images; PDF; Word/Excel .docx/.xlsx (a zip holding the right member)
  and legacy .doc/.xls (the OLE2 header); CSV/TXT (text, no NUL bytes, decodes) and Parquet for data
  imports. A name whose extension disagrees with the content gets the content's extension.
* A size limit per file (settings.ENVGOV_UPLOAD_MAX_FILE_BYTES unless the caller gives its own) and per
  request (BodyLimitMiddleware below: settings.ENVGOV_MAX_REQUEST_BYTES → 413).
* The name is reduced to a safe base name: no directories (`../`, `C:\\`), no control or reserved
  characters, at most 120 characters — Chinese names are kept as they are.

Refusals are ValidationError({field: Chinese message naming the file}).
"""
from __future__ import annotations

import codecs
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# kind → the extensions a file of that content may carry (the first is used to correct a wrong one)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "jpeg": (".jpg", ".jpeg"), "png": (".png",), "gif": (".gif",), "webp": (".webp",), "heic": (".heic", ".heif"),
    "pdf": (".pdf",), "docx": (".docx",), "xlsx": (".xlsx", ".xlsm"), "doc": (".doc",), "xls": (".xls",),
    "csv": (".csv",), "txt": (".txt",), "parquet": (".parquet",), "gzip": (".gz",),
}
IMAGES = frozenset({"jpeg", "png", "gif", "webp", "heic"})
OFFICE = frozenset({"docx", "xlsx", "doc", "xls"})
EVIDENCE = IMAGES | {"pdf"} | OFFICE  # progress attachments, 督办 evidence and response photos
PLAN_DOCUMENT = frozenset({"pdf", "docx", "xlsx", "doc", "txt"})
LEDGER = frozenset({"xlsx"})
AIR_DATA = frozenset({"csv", "txt", "xlsx", "parquet"})
WATER_DATA = frozenset({"csv", "txt", "xlsx", "gzip"})  # gzip: a compressed release (.csv.gz, cnemc-auto)

LABELS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP", "heic": "HEIC", "pdf": "PDF",
          "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "doc": "Word (.doc)", "xls": "Excel (.xls)",
          "csv": "CSV", "txt": "TXT", "parquet": "Parquet",
          "gzip": "CSV.GZ"}

_HEAD = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def default_max_bytes() -> int:
    return int(getattr(settings, "ENVGOV_UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024))


# ---------------------------------------------------------------- names

_RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_name(name: str, fallback: str = "附件") -> str:
    """The base name only (no directory part from any OS), without control or reserved characters,
    leading dots or trailing dots and spaces, at most 120 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _RESERVED.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or set(name) <= {"_", "."}:
        name = fallback
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    return stem[: 120 - len(ext)].rstrip() + ext if stem else fallback + ext


# ---------------------------------------------------------------- content

def _read_head(f) -> bytes:  # noqa: ANN001
    f.seek(0)
    head = f.read(_HEAD)
    f.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _zip_members(f) -> set[str]:  # noqa: ANN001
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return set()
    finally:
        f.seek(0)


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:  # not final: a multi-byte character cut at the end of the sample is fine
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < _HEAD)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(f, name: str = "") -> str | None:  # noqa: ANN001
    """The kind of the file by its content (see EXTENSIONS), or None when it is none of them."""
    head = _read_head(f)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PK\x03\x04"):
        members = _zip_members(f)
        if "word/document.xml" in members:
            return "docx"
        if "xl/workbook.xml" in members:
            return "xlsx"
        return None
    if head.startswith(_OLE):  # Word 97–2003 and Excel 97–2003 share the container: tell them by the name
        return "xls" if PurePosixPath(name.lower()).suffix in (".xls", ".et") else "doc"
    if _is_text(head):
        return "csv" if PurePosixPath(name.lower()).suffix == ".csv" else "txt"
    return None


def _size(f) -> int:  # noqa: ANN001
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
    return int(size)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def check_upload(f, *, kinds: Iterable[str], max_bytes: int | None = None, field: str = "file") -> str:  # noqa: ANN001
    """Refuse a file that is too large or whose content is not one of `kinds`; return its safe name
    (also set as f.name, so storage and the stored row use it)."""
    kinds = frozenset(kinds)
    unknown = kinds - set(EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown upload kinds {sorted(unknown)}")
    limit = default_max_bytes() if max_bytes is None else max_bytes
    original = getattr(f, "name", "") or ""
    name = safe_name(original)
    if _size(f) > limit:
        raise ValidationError({field: _("文件“%(name)s”超过 %(limit)s") % {"name": name, "limit": _mb(limit)}})
    kind = sniff(f, name)
    if kind not in kinds:
        allowed = "、".join(LABELS[k] for k in sorted(kinds, key=list(EXTENSIONS).index))
        raise ValidationError({field: _("文件“%(name)s”的内容不是允许的类型（%(allowed)s）")
                                      % {"name": name, "allowed": allowed}})
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in EXTENSIONS[kind]:  # the content decides the extension
        name = safe_name((name if not dot else stem) + EXTENSIONS[kind][0])
    try:
        f.name = name
    except AttributeError:  # a read-only name: the caller uses the returned one
        pass
    return name


def check_uploads(files: Iterable, *, kinds: Iterable[str], max_bytes: int | None = None,  # noqa: ANN001
                  max_total_bytes: int | None = None, field: str = "attachments") -> list[str]:
    """check_upload for each file of one field, then the total against `max_total_bytes` (default: the
    request cap). Returns the safe names in order."""
    files = list(files)
    names = [check_upload(f, kinds=kinds, max_bytes=max_bytes, field=field) for f in files]
    cap = max_total_bytes if max_total_bytes is not None else max_request_bytes()
    if sum(_size(f) for f in files) > cap:
        raise ValidationError({field: _("附件合计超过 %(limit)s，请分次上传") % {"limit": _mb(cap)}})
    return names


# ---------------------------------------------------------------- request bodies

# pages whose body may be far larger: the monitoring data import (a year of hourly data of many stations)
LARGE_BODY_URL_NAMES = ("air_import",)


def max_request_bytes(request: HttpRequest | None = None) -> int:
    """The body cap of this request: ENVGOV_MAX_IMPORT_BYTES for the data import, else
    ENVGOV_MAX_REQUEST_BYTES."""
    if request is not None and _is_large_body_path(request.path_info):
        return int(getattr(settings, "ENVGOV_MAX_IMPORT_BYTES", 1024 * 1024 * 1024))
    return int(getattr(settings, "ENVGOV_MAX_REQUEST_BYTES", 50 * 1024 * 1024))


def _is_large_body_path(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).url_name in LARGE_BODY_URL_NAMES
    except Resolver404:
        return False


def too_large(request: HttpRequest) -> HttpResponse:
    """413 in the caller's language of choice: JSON for the API, the site's page otherwise."""
    limit = _mb(max_request_bytes(request))
    message = _("提交的内容过大（上限 %(limit)s），没有保存。请压缩或分次上传。") % {"limit": limit}
    if request.path_info.startswith("/api/"):
        response = HttpResponse(json.dumps({"detail": message}, ensure_ascii=False), status=413,
                                content_type="application/json; charset=utf-8")
    else:
        from django.template import loader

        # rendered without the request (like the 500 page): the session and user are not loaded yet
        response = HttpResponse(loader.get_template("413.html").render({"message": message}), status=413)
    response["Connection"] = "close"  # the rest of the body is not read
    return response


class BodyLimitMiddleware:
    """A too-large body answers 413 (page or API) before anything reads it — never a 400 or a 500.

    Content-Length above ENVGOV_MAX_REQUEST_BYTES, or a non-file body above DATA_UPLOAD_MAX_MEMORY_SIZE,
    is refused at once. That check is complete: Django reads no more than Content-Length bytes of a body
    (one without it is read as empty). A multipart body is parsed here, so form fields beyond
    DATA_UPLOAD_MAX_MEMORY_SIZE (Django's RequestDataTooBig, otherwise a 400) are a 413 too."""

    def __init__(self, get_response) -> None:  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes(request):
            return too_large(request)
        multipart = (request.content_type or "").startswith("multipart/")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not multipart and limit is not None and length > limit:
            return too_large(request)
        if multipart and request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, where a refusal can still become a 413
                request.FILES  # noqa: B018
            except RequestDataTooBig:
                return too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        return None
