"""Uploads and bodies (issue 12, item 6): one content-checked allowlist with size limits and safe names for
every upload, 413 for a too-large body on pages and the API, and a Content-Security-Policy on every page."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envgov.web import uploads

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj\n" * 4
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _zip(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, "<x/>")
    return buf.getvalue()


DOCX, XLSX = _zip("word/document.xml"), _zip("xl/workbook.xml")


@pytest.mark.parametrize("name, data, kind", [
    ("现场.jpg", JPEG, "jpeg"), ("截图.png", PNG, "png"), ("a.gif", GIF, "gif"), ("a.webp", WEBP, "webp"),
    ("IMG_0001.HEIC", HEIC, "heic"), ("报告.pdf", PDF, "pdf"), ("说明.docx", DOCX, "docx"), ("台账.xlsx", XLSX, "xlsx"),
    ("旧版.doc", OLE, "doc"), ("旧表.xls", OLE, "xls"),
])
def test_evidence_kinds_are_recognised_by_content(name, data, kind):
    f = SimpleUploadedFile(name, data)
    assert uploads.sniff(f, name) == kind
    assert uploads.check_upload(f, kinds=uploads.EVIDENCE) == name


@pytest.mark.parametrize("name, data", [
    ("../../x.jpg", b"<html><script>alert(1)</script></html>"),  # the case of the issue, small
    ("x.pdf", b"MZ\x90\x00 an executable"),
    ("x.docx", _zip("payload.js")),  # a zip that is not an Office document
    ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    ("note.txt", "纯文本说明".encode()),  # text is for data imports, not evidence
])
def test_other_content_is_refused_with_a_chinese_message(name, data):
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(SimpleUploadedFile(name, data), kinds=uploads.EVIDENCE, field="attachments")
    message = exc.value.message_dict["attachments"][0]
    assert "内容不是允许的类型" in message and "JPEG" in message and "PDF" in message
    assert "/" not in message.split("”")[0]  # the name shown is the safe base name


def test_size_limit_per_file(settings):
    settings.ENVGOV_UPLOAD_MAX_FILE_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(SimpleUploadedFile("大.jpg", JPEG + b"\x00" * 2000), kinds=uploads.EVIDENCE)
    assert "超过 1 KB" in exc.value.messages[0]
    assert uploads.check_upload(SimpleUploadedFile("小.jpg", JPEG), kinds=uploads.EVIDENCE) == "小.jpg"


def test_size_limit_per_request_of_several_files(settings):
    settings.ENVGOV_MAX_REQUEST_BYTES = 100
    files = [SimpleUploadedFile(f"{i}.jpg", JPEG + b"\x00" * 40) for i in range(3)]
    with pytest.raises(ValidationError) as exc:
        uploads.check_uploads(files, kinds=uploads.EVIDENCE)
    assert "合计超过" in exc.value.messages[0]


@pytest.mark.parametrize("given, safe", [
    ("../../x.jpg", "x.jpg"), ("..\\..\\windows\\x.jpg", "x.jpg"), ("C:\\Users\\张三\\现场照片 1.jpg", "现场照片 1.jpg"),
    ("/etc/passwd", "passwd"), ("a\x00b<>:|?*.pdf", "a_b______.pdf"), ("..", "附件"), ("", "附件"),
    ("。。现场照片.jpg", "。。现场照片.jpg"), (".hidden.pdf", "hidden.pdf"),
    ("长" * 300 + ".pdf", "长" * 116 + ".pdf"),
])
def test_safe_name_keeps_only_a_base_name(given, safe):
    assert uploads.safe_name(given) == safe


def test_the_content_decides_the_extension():
    f = SimpleUploadedFile("截图.jpg", PNG)  # a PNG saved as .jpg
    assert uploads.check_upload(f, kinds=uploads.EVIDENCE) == "截图.png" and f.name == "截图.png"
    assert uploads.check_upload(SimpleUploadedFile("照片", JPEG), kinds=uploads.EVIDENCE) == "照片.jpg"


def test_data_imports_accept_text_and_refuse_binaries():
    assert uploads.check_upload(SimpleUploadedFile("数据.csv", "站点,时间\nA,2024\n".encode("gb18030")),
                                kinds=uploads.AIR_DATA) == "数据.csv"
    assert uploads.check_upload(SimpleUploadedFile("d.parquet", b"PAR1" + b"\x00" * 20 + b"PAR1"),
                                kinds=uploads.AIR_DATA) == "d.parquet"
    with pytest.raises(ValidationError):
        uploads.check_upload(SimpleUploadedFile("数据.csv", JPEG), kinds=uploads.AIR_DATA)


# ---------------------------------------------------------------- through the pages

def test_progress_refuses_the_disguised_html_and_writes_nothing(world):
    from envgov.apps.plans.models import Attachment, ProgressReport

    c = Client()
    c.force_login(world["unit_a"])
    task = world["task_unit_a"]
    r = c.post(f"/tasks/{task.pk}/", {"narrative": "抽检", "attachments": SimpleUploadedFile(
        "../../x.jpg", b"<html>" + b"x" * 4096 + b"</html>", content_type="image/jpeg")})
    assert r.status_code in (200, 422)
    assert "内容不是允许的类型" in r.content.decode()
    assert not ProgressReport.objects.filter(task=task).exists() and not Attachment.objects.exists()
    assert c.get(f"/tasks/{task.pk}/").status_code == 200


def test_progress_keeps_a_chinese_photo_under_its_safe_name(world):
    from envgov.apps.plans import actions
    from envgov.apps.plans.models import Attachment

    report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="抽检",
                                     attachments=[SimpleUploadedFile("../../现场照片.jpg", JPEG)],
                                     today=dt.date(2024, 5, 10))
    a = Attachment.objects.get(report=report)
    assert a.name == "现场照片.jpg" and a.is_image
    assert ".." not in a.file.name and a.file.name.endswith(".jpg")


def test_plan_import_refuses_an_image(world):
    from envgov.apps.plans.models import PlanDraft

    c = Client()
    c.force_login(world["coordinator"])
    r = c.post("/plans/import/", {"file": SimpleUploadedFile("计划.docx", JPEG)}, follow=True)
    assert "内容不是允许的类型" in r.content.decode()
    assert not PlanDraft.objects.exists()


def test_air_import_refuses_a_pdf(world):
    from envgov.apps.air.models import ObservationImport

    c = Client()
    c.force_login(world["coordinator"])
    r = c.post("/monitoring/air/import/", {"file": SimpleUploadedFile("数据.csv", PDF)})
    assert r.status_code == 200 and "内容不是允许的类型" in r.content.decode()
    assert not ObservationImport.objects.exists()


# ---------------------------------------------------------------- 413

def test_too_large_body_answers_413_on_a_page(world, settings):
    from envgov.apps.plans.models import ProgressReport

    settings.ENVGOV_MAX_REQUEST_BYTES = 64 * 1024
    c = Client()
    c.force_login(world["unit_a"])
    task = world["task_unit_a"]
    r = c.post(f"/tasks/{task.pk}/", {"narrative": "抽检", "attachments": SimpleUploadedFile(
        "大.jpg", JPEG + b"\x00" * (100 * 1024))})
    assert r.status_code == 413 and "提交的内容过大" in r.content.decode()
    assert not ProgressReport.objects.filter(task=task).exists()
    assert c.get(f"/tasks/{task.pk}/").status_code == 200


def test_too_large_body_answers_413_on_the_api(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    c = Client()
    c.force_login(world["unit_a"])
    r = c.post(f"/api/tasks/{world['task_unit_a'].pk}/progress", '{"narrative": "' + "长" * 2000 + '"}',
               content_type="application/json")
    assert r.status_code == 413 and "提交的内容过大" in r.json()["detail"]


def test_form_fields_past_the_limit_answer_413_not_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    c = Client()
    c.force_login(world["unit_a"])
    r = c.post(f"/tasks/{world['task_unit_a'].pk}/", {"narrative": "长" * 2000,
                                                       "attachments": SimpleUploadedFile("a.jpg", JPEG)})
    assert r.status_code == 413


# ---------------------------------------------------------------- Content-Security-Policy

def test_every_page_carries_a_policy_without_inline_script(world):
    c = Client()
    c.force_login(world["coordinator"])
    for url in ("/login/", "/", f"/plans/{world['plan'].pk}/", "/monitoring/air/", "/account/two-factor/"):
        r = c.get(url, follow=True)
        policy = r["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", (url, policy)
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "Content-Security-Policy" in Client().get("/login/")


def test_templates_hold_no_inline_script_or_handler():
    """What the policy forbids is not written in our templates: every <script> has a src (or is a JSON
    data block) and no element has an on…= handler or a javascript: link."""
    import re
    from pathlib import Path

    import envgov.web

    root = Path(envgov.web.__file__).parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert not offenders, offenders


def test_the_data_import_page_has_its_own_larger_cap(world, settings):
    settings.ENVGOV_MAX_REQUEST_BYTES = 1024
    settings.ENVGOV_MAX_IMPORT_BYTES = 10 * 1024 * 1024
    c = Client()
    c.force_login(world["coordinator"])
    rows = "站点,时间,PM2.5\n" + "TZ-01,2024-01-01 01:00,35\n" * 200
    r = c.post("/monitoring/air/import/", {"file": SimpleUploadedFile("数据.csv", rows.encode())})
    assert r.status_code == 422  # validated (and refused for its unknown station), not a 413
    settings.ENVGOV_MAX_IMPORT_BYTES = 2048
    r = c.post("/monitoring/air/import/", {"file": SimpleUploadedFile("数据.csv", rows.encode())})
    assert r.status_code == 413
