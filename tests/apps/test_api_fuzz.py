"""The OpenAPI contract fuzzed as every role (issue 12, item 7): schemathesis generates requests for every
operation from the schema django-ninja builds — valid ones, invalid ones (negative mode) and valid ones aimed
at objects that exist — and sends them with a token of each role, reporters who can write progress included.
Whatever the input, the platform answers; a 5xx is a failure.

Kept small in the suite (FUZZ_EXAMPLES per operation and role, 20 by default); `make fuzz` runs more."""
from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from envgov.apps.accounts.models import ApiToken
from envgov.apps.plans import actions
from envgov.apps.supervision.models import SupervisionItem
from envgov.web.api import api

FUZZ_EXAMPLES = int(os.environ.get("ENVGOV_FUZZ_EXAMPLES", "20"))
FUZZ_RANDOM = os.environ.get("ENVGOV_FUZZ_RANDOM") == "1"  # `make fuzz`: new examples each run
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
OPERATIONS = [(method.upper(), path) for path, ops in SCHEMA.raw_schema["paths"].items() for method in ops]
ROLES = ["admin", "coordinator", "unit_a", "town_a", "auditor", "other_coordinator", "leader_a"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def known(world) -> dict:
    """Real ids for the path parameters: a report of each reporter and an open supervision item each."""
    r_unit = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="完成抽检2组")
    actions.submit_progress(world["task_town_a"], acting_user=world["town_a"], narrative="巡查工地3处")
    item = SupervisionItem.objects.create(
        plan=world["plan"], task=world["task_unit_a"], source=SupervisionItem.Source.MANUAL, title="抽检进度滞后",
        opened_on=world["plan"].issued_at or "2024-09-01", due_date="2024-09-30", addressee_unit=world["u_market"])
    return {"plan_id": world["plan"].pk, "task_id": world["task_unit_a"].pk, "report_id": r_unit.pk,
            "item_id": item.pk, "rank_town_id": world["t_songzhuang"].pk}


def send(client: Client, case) -> object:  # noqa: ANN001 - a schemathesis Case
    """The generated request through Django's test client (in-process, inside the test's transaction)."""
    path = case.formatted_path
    query = urlencode(case.query or {}, doseq=True)
    url = f"{path}?{query}" if query else path
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "cookie")}
    extra = {f"HTTP_{k.upper().replace('-', '_')}": str(v) for k, v in headers.items() if k.lower() != "content-type"}
    if case.method.upper() == "GET":
        return client.get(url, **extra)
    body = case.body
    if isinstance(body, (bytes, str)) and not (case.media_type or "").endswith("json"):
        data = body
    else:
        data = json.dumps(None if body.__class__.__name__ == "NotSet" else body, default=str)
    return client.generic(case.method.upper(), url, data=data,
                          content_type=case.media_type or "application/json", **extra)


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_5xx(world, known, role, method, path):
    _, key = ApiToken.issue(world[role], "fuzz")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.raise_request_exception = False  # a server error is an answer to look at, not a crash of the test
    operation = SCHEMA[path][method]
    params = {name: known[name] for name in known if "{" + name + "}" in path}
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params or None),
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE),
    )
    failures: list[str] = []

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=not FUZZ_RANDOM,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):  # noqa: ANN001
        response = send(client, case)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.method} {case.formatted_path} query={case.query!r} "
                            f"body={getattr(case, 'body', None)!r}")
        assert response.status_code < 500, failures[-1]

    run()
