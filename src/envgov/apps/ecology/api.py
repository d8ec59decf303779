"""API of the ecology app: the district's EI years, carbon declines and soil safe-use rates, each the
engine's figure with its provenance, as on the page. Read-only; a user without a district gets 404."""
# no `from __future__ import annotations`: ninja reads the parameter types through the api_scoped wrapper

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Status

from envgov.apps.accounts.scope import api_scoped
from envgov.apps.ecology import services
from envgov.apps.plans.api import ERRORS, _user

router = Router(tags=["生态、碳排放与土壤"])


def summary(district) -> dict:  # noqa: ANN001
    from envgov.engine import carbon as carbon_engine

    ei, prov = services.ei_years(district)
    carbon = services.carbon(district)
    return {
        "district": district.name,
        "ei": {"provenance": prov, "years": [
            {"year": y.result.year, "components": y.result.components, "ei_computed": y.result.ei_computed,
             "ei": y.result.ei, "grade": y.result.grade, "constraint": y.row.constraint, "formula": y.result.formula,
             "notes": list(y.result.notes), "source": y.row.source, "is_simulated": y.row.is_simulated,
             "change": None if y.change is None else {"base_year": y.change.base_year, "delta_ei": y.change.delta,
                                                      "text": y.change.text}} for y in ei]},
        "carbon": {"base_year": carbon.base_year, "error": carbon.error or None, "provenance": carbon_engine.provenance(),
                   "base_intensity": carbon.base_intensity, "years": [
                       {"year": r.year, "intensity": r.intensity, "single_year_decline": r.annual_decline,
                        "cumulative_decline": r.decline_vs_base, "explanation": r.explanation}
                       for r in carbon.results]},
        "soil": {
            "farmland": [{"year": y.row.year, "as_of": y.row.as_of.isoformat(), "unit": y.row.unit,
                          "b": float(y.row.b), "c": float(y.row.c), "d": float(y.row.d), "e": float(y.row.e),
                          "rate": y.result.rate if y.result else None,
                          "explanation": y.result.explanation if y.result else y.error,
                          "rule": y.result.rule if y.result else None} for y in services.farmland_years(district)],
            "construction": [{"year": y.row.year, "as_of": y.row.as_of.isoformat(), "safe_plots": y.row.safe_plots,
                              "reused_plots": y.row.reused_plots, "basis": y.row.basis,
                              "rate": y.result.rate if y.result else None,
                              "explanation": y.result.explanation if y.result else y.error,
                              "rule": y.result.rule if y.result else None}
                             for y in services.construction_years(district)],
        },
        "targets": [{"id": t.pk, "plan_year": t.plan.year, "indicator": t.indicator.code, "comparator": t.comparator,
                     "value": float(t.value), "actual_value": None if t.actual_value is None else float(t.actual_value),
                     "actual_status": t.actual_status or None, "actual_reason": t.actual_reason,
                     "actual_source": t.actual_source} for t in services.targets(district)],
    }


@router.get("/ecology", response={200: dict, **ERRORS}, summary="生态环境状况指数、碳排放强度和土壤安全利用率")
@api_scoped("any_user")
def ecology_summary(request: HttpRequest):
    user = _user(request)
    if user.district_id is None:
        return Status(404, {"detail": gettext("未找到本区")})
    return Status(200, summary(user.district))
