"""API operations of the emergency app: the district's warning episodes and one episode's action sheet (the
lines the caller may read, as on the page) with its check-ins. Read-only; other districts' episodes are
not found (404)."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.emergency import services
from envgov.apps.plans.api import ERRORS, _user
from envgov.apps.plans.queries import filter_id

router = Router(tags=["重污染应急"])


class EpisodeOut(Schema):
    id: int
    plan: str
    level: str
    start: str
    end: str
    ended_on: str | None
    status: str
    reasons: list[str]
    is_simulated: bool


class SheetOut(EpisodeOut):
    public: list[dict]
    entries: list[dict]
    checkins: list[dict]


def _episode(e) -> dict:  # noqa: ANN001
    return {"id": e.pk, "plan": e.plan_id, "level": e.level, "start": e.start.isoformat(), "end": e.end.isoformat(),
            "ended_on": e.ended_on.isoformat() if e.ended_on else None, "status": e.status,
            "reasons": list(e.reasons), "is_simulated": e.is_simulated}


@router.get("/emergency/episodes", response=list[EpisodeOut], summary="预警过程")
@api_scoped("any_user")
def list_emergency_episodes(request: HttpRequest):
    user = _user(request)
    return [_episode(e) for e in services.episodes_for(user, user.district)]


@router.get("/emergency/episodes/{episode_id}", response={200: SheetOut, **ERRORS}, summary="预警任务单与巡查打卡")
@api_scoped("any_user")
def get_emergency_episode(request: HttpRequest, episode_id: int):
    user = _user(request)
    e = services.episodes_for(user, user.district).filter(pk=filter_id(episode_id)).first()
    if e is None:
        return Status(404, {"detail": gettext("未找到该预警过程")})
    checkins = [{"entry": c.entry_id, "at": c.at.isoformat(), "complied": c.complied, "note": c.note,
                 "inspector": c.inspector.display_name if c.inspector_id else None}
                for c in services.checkins_for(user, e)]
    return Status(200, {**_episode(e), "public": e.sheet.get("public", []), "entries": services.sheet_lines(e, user),
                        "checkins": checkins})
