"""Tiny PDF writers for tests (no PDF library is installed): a text layer in Helvetica for ASCII, or in the
Adobe standard CJK font STSong-Light (UniGB-UCS2-H encoding, not embedded) for Chinese, plus ruled tables."""

from __future__ import annotations

import io


def _pdf(content: str | list[str], fonts: str, extra: list[bytes]) -> bytes:
    """A PDF with one page per content stream; object numbers: 1 catalog, 2 pages, then fonts, then pages."""
    pages = [content] if isinstance(content, str) else content
    n_fonts = len(extra)
    first_page = 3 + n_fonts
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    objs += extra
    for i, ops in enumerate(pages):
        stream = ops.encode()
        page_obj = first_page + 2 * i
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_obj + 1} 0 R "
            f"/Resources << /Font << {fonts} >> >> >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


HELVETICA = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
# font objects are 3, 4, 5 (Type0 font, CID font, descriptor)
STSONG = [
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
    (
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>"
    ),
    (
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    ),
]


def ascii_pdf(ops: str) -> bytes:
    """A page drawn with `ops` (PDF content operators), font /F1 = Helvetica."""
    return _pdf(ops, "/F1 3 0 R", HELVETICA)


def _lines_ops(lines: list[str]) -> str:
    return "\n".join(
        f"BT /F1 12 Tf 60 {760 - 20 * i} Td <{line.encode('utf-16-be').hex().upper()}> Tj ET"
        for i, line in enumerate(lines)
    )


def chinese_pdf(lines: list[str]) -> bytes:
    """One page, one line of Chinese text per entry (text layer in UCS-2, font /F1 = STSong-Light)."""
    return _pdf(_lines_ops(lines), "/F1 3 0 R", STSONG)


def chinese_pdf_pages(pages: list[list[str]]) -> bytes:
    """Several pages of Chinese text lines."""
    return _pdf([_lines_ops(p) for p in pages], "/F1 3 0 R", STSONG)
