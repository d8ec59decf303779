"""Notice pages: the notice centre (list, open = mark read and go to the thing, mark all read, one's own
e-mail preference) and the district's group-robot setting. Views parse input and call actions."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envgov.apps.accounts.scope import scoped
from envgov.apps.notices import actions
from envgov.apps.notices.forms import ChannelForm, PreferenceForm
from envgov.apps.notices.models import DistrictChannel, Notice
from envgov.apps.notices.permissions import can_edit_channels, can_view_notice
from envgov.apps.plans.actions import error_text


@scoped("any_user")
def notice_centre(request: HttpRequest) -> HttpResponse:
    user = request.user
    notices = Notice.objects.filter(recipient=user)
    if request.GET.get("show") == "unread":
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    pref = actions.preference_of(user)
    ctx = {
        "page": page, "show": request.GET.get("show", ""),
        "pref_form": PreferenceForm(initial={"delivery": pref.delivery, "email": pref.email}),
        "has_email": bool(user.email),
        "can_edit_channels": can_edit_channels(user, user.district),
    }
    return render(request, "notices/centre.html", ctx)


@scoped("any_user")
@require_POST
def notice_open(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Open a notice: mark it read, then go to the thing it is about (or to one of its links)."""
    notice = get_object_or_404(Notice, pk=notice_id)
    if not can_view_notice(request.user, notice):
        raise Http404  # someone else's notice is not found, never shown
    actions.mark_read(notice, acting_user=request.user)
    target = notice.url
    link = request.POST.get("link", "")
    if link.isdigit() and int(link) < len(notice.links):
        target = notice.links[int(link)].get("url", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notice_centre")


@scoped("any_user")
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    n = actions.mark_all_read(acting_user=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": n})
    return redirect("notice_centre")


@scoped("any_user")
@require_POST
def notice_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择邮件方式"))
    else:
        try:
            actions.save_preference(acting_user=request.user, delivery=form.cleaned_data["delivery"],
                                    email=form.cleaned_data["email"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("通知设置已保存"))
    return redirect("notice_centre")


@scoped("reviewer")
def channel_settings(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    if not can_edit_channels(request.user, district):
        raise Http404  # an administrator of no district has no district robot to set
    channel = DistrictChannel.objects.filter(district=district).first() or DistrictChannel(district=district)
    form = ChannelForm(initial={"kind": channel.kind, "webhook_url": channel.webhook_url,
                                "enabled": channel.enabled, "version": channel.version})
    if request.method == "POST":
        if request.POST.get("op") == "test":
            try:
                ok = actions.send_test_message(district, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                if ok:
                    messages.success(request, _("测试消息已发送，请在群里查看"))
                else:
                    messages.error(request, _("测试消息发送失败，请检查 Webhook 地址和机器人的安全设置"))
            return redirect("notice_channel")
        form = ChannelForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_channel(district, acting_user=request.user, kind=data["kind"],
                                     webhook_url=data["webhook_url"], enabled=data["enabled"],
                                     secret=data["secret"] or None, expected_version=data["version"])
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            except actions.StaleEdit as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("通知渠道已保存"))
                return redirect("notice_channel")
    return render(request, "notices/channel.html", {"form": form, "channel": channel, "district": district})
