"""Downloads of uploaded evidence, checked against the reader's scope (never served as open media)."""
from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from envgov.apps.accounts.scope import reports_for, scoped
from envgov.apps.plans.models import Attachment


def file_response(field, name: str) -> FileResponse:  # noqa: ANN001 - FieldFile
    if not field:
        raise Http404("没有文件")
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件已不存在") from exc
    return FileResponse(handle, as_attachment=True, filename=name)


@scoped("any_user")
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.filter(report__in=reports_for(request.user)), pk=attachment_id)
    return file_response(attachment.file, attachment.name)
