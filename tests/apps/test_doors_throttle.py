"""Sign-in protection (issue 12, item 4): one throttle on /login/, /admin/login/ and API tokens, keyed by
account and by client address, with growing waits instead of a lock, a notice to the owner, an
administrator's clear, the trusted-proxy address, and the optional TOTP second factor."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from envgov.rules import security as policy

PW = "pw-12345-x"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fail(client: Client, username: str, n: int, url: str = "/login/") -> list[int]:
    return [client.post(url, {"username": username, "password": "wrong"}).status_code for _ in range(n)]


def _signed_in(response, client: Client) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


# ---------------------------------------------------------------- the policy

def test_delay_grows_and_is_capped():
    p = policy.ThrottlePolicy(free_failures=5, base_delay_seconds=30, max_delay_seconds=900,
                              forget_after_seconds=86400)
    assert [p.delay_after(n) for n in range(0, 5)] == [0] * 5
    assert [p.delay_after(n) for n in (5, 6, 7, 8)] == [30, 60, 120, 240]
    assert p.delay_after(50) == 900 and p.delay_after(10**6) == 900


# ---------------------------------------------------------------- acceptance

def test_five_wrong_passwords_for_one_account_do_not_lock_out_another_from_the_same_address(world):
    c = Client()
    assert _fail(c, "coordinator", 5) == [200] * 5
    r = c.post("/login/", {"username": "coordinator", "password": PW})
    assert r.status_code == 429 and "_auth_user_id" not in c.session  # that account now waits …
    assert int(r["Retry-After"]) > 0
    assert "请" in r.content.decode() and "秒后再试" in r.content.decode()
    other = Client()  # … another account from the same address (127.0.0.1) signs in at once
    assert _signed_in(other.post("/login/", {"username": "unit_a", "password": PW}), other)


def test_the_same_account_from_another_address_is_not_held(world):
    _fail(Client(), "coordinator", 5)
    c = Client(REMOTE_ADDR="10.0.0.9")
    assert _signed_in(c.post("/login/", {"username": "coordinator", "password": PW}), c)


def test_admin_login_is_throttled_like_the_main_one(world):
    from envgov.apps.accounts.models import User

    User.objects.filter(username="admin").update(is_staff=True)
    c = Client()
    statuses = _fail(c, "admin", 5, url="/admin/login/")
    assert statuses == [200] * 5
    r = c.post("/admin/login/", {"username": "admin", "password": PW})
    assert r.status_code == 429 and "_auth_user_id" not in c.session
    assert "秒后再试" in r.content.decode()
    # and the two doors share one count: failures at the admin door hold the main one too
    r = Client().post("/login/", {"username": "admin", "password": PW})
    assert r.status_code == 429


def test_failures_at_the_main_door_count_at_the_admin_door(world):
    from envgov.apps.accounts.models import User

    User.objects.filter(username="admin").update(is_staff=True)
    _fail(Client(), "admin", 5)
    assert Client().post("/admin/login/", {"username": "admin", "password": PW}).status_code == 429


def test_waiting_out_the_delay_gives_another_try(world):
    from envgov.apps.accounts.models import LoginThrottle

    c = Client()
    _fail(c, "coordinator", 5)
    assert c.post("/login/", {"username": "coordinator", "password": PW}).status_code == 429
    # 31 seconds later (the first wait is 30 s): the correct password gets through, no lock held
    LoginThrottle.objects.update(last_failure_at=timezone.now() - dt.timedelta(seconds=31))
    assert _signed_in(c.post("/login/", {"username": "coordinator", "password": PW}), c)
    # and the success cleared the account's own counts
    assert not LoginThrottle.objects.filter(username="coordinator").exists()


def test_the_wait_doubles_with_each_failure_past_the_free_ones(world):
    from envgov.apps.accounts import throttle
    from envgov.apps.accounts.models import LoginThrottle

    for _ in range(7):
        throttle.record_failure("coordinator", "10.1.1.1")
        LoginThrottle.objects.update(last_failure_at=timezone.now())
    wait = throttle.wait_for("coordinator", "10.1.1.1")
    assert wait is not None and 115 <= wait.seconds <= 120  # 5 free, then 30 → 60 → 120


def test_a_stranger_cannot_hold_the_owner_out_of_their_own_browser(world):
    """Guessing from many addresses slows the account everywhere — except in a browser that has signed
    in to it before (the known-browser cookie)."""
    owner = Client(REMOTE_ADDR="10.2.0.1")
    assert _signed_in(owner.post("/login/", {"username": "coordinator", "password": PW}), owner)
    owner.post("/logout/")  # a real sign-out keeps the known-browser cookie
    for i in range(12):  # a stranger on twelve addresses, one failure each: no pair key fills up
        _fail(Client(REMOTE_ADDR=f"10.9.0.{i}"), "coordinator", 1)
    fresh = Client(REMOTE_ADDR="10.3.0.1")  # a browser that never signed in: the account-wide wait applies
    assert fresh.post("/login/", {"username": "coordinator", "password": PW}).status_code == 429
    assert _signed_in(owner.post("/login/", {"username": "coordinator", "password": PW}), owner)


def test_one_address_trying_many_names_is_slowed(world):
    c = Client(REMOTE_ADDR="10.4.0.1")
    for i in range(policy.ADDRESS.free_failures):
        c.post("/login/", {"username": f"guess{i}", "password": "wrong"})
    assert c.post("/login/", {"username": "unit_a", "password": PW}).status_code == 429


def test_owner_is_told_once_and_not_in_the_group_chat(world, monkeypatch):
    from envgov.apps.notices import channels
    from envgov.apps.notices.models import Notice

    posted = []
    monkeypatch.setattr(channels, "post_webhook", lambda *a, **k: posted.append(a) or True)
    _fail(Client(), "coordinator", 8)
    notices = Notice.objects.filter(recipient=world["coordinator"], kind="login_throttled")
    assert notices.count() == 1
    assert "127.0.0.1" in notices.get().body
    assert posted == []


def test_unknown_username_is_counted_but_tells_nobody(world):
    from envgov.apps.notices.models import Notice

    c = Client()
    _fail(c, "nobody-here", 5)
    assert c.post("/login/", {"username": "nobody-here", "password": "x"}).status_code == 429
    assert not Notice.objects.filter(kind="login_throttled").exists()


def test_admin_clears_the_throttle_from_the_manage_page(world):
    from envgov.apps.audit.models import AuditLog

    _fail(Client(), "unit_a", 5)
    admin = Client()
    admin.force_login(world["admin"])
    page = admin.get(f"/manage/users/{world['unit_a'].pk}/").content.decode()
    assert "解除登录限制" in page and "127.0.0.1" in page
    r = admin.post(f"/manage/users/{world['unit_a'].pk}/unthrottle/")
    assert r.status_code == 302
    assert AuditLog.objects.filter(action="login_unthrottle", object_id=str(world["unit_a"].pk)).exists()
    c = Client()
    assert _signed_in(c.post("/login/", {"username": "unit_a", "password": PW}), c)


def test_clearing_is_refused_outside_the_admins_district(world):
    from envgov.apps.accounts import actions

    with pytest.raises(Exception):
        actions.clear_login_throttle(world["other_coordinator"], acting_user=world["admin"])


# ---------------------------------------------------------------- the client address

@pytest.mark.parametrize("header, count, forwarded, remote, expected", [
    ("", 1, "1.2.3.4", "10.0.0.1", "10.0.0.1"),  # no trusted proxy: the header is ignored
    ("X-Forwarded-For", 1, "6.6.6.6, 1.2.3.4", "10.0.0.1", "1.2.3.4"),  # the entry our proxy appended
    ("X-Forwarded-For", 2, "6.6.6.6, 1.2.3.4, 10.0.0.5", "10.0.0.1", "1.2.3.4"),
    ("X-Forwarded-For", 2, "1.2.3.4", "10.0.0.1", "10.0.0.1"),  # fewer entries than proxies: REMOTE_ADDR
    ("X-Forwarded-For", 1, "not-an-ip", "10.0.0.1", "10.0.0.1"),
    ("X-Real-IP", 1, "1.2.3.4", "10.0.0.1", "1.2.3.4"),
    ("X-Forwarded-For", 1, "2001:db8:1:2:3:4:5:6", "10.0.0.1", "2001:db8:1:2::/64"),
])
def test_client_address(header, count, forwarded, remote, expected):
    from envgov.apps.accounts.throttle import client_address

    meta = {"REMOTE_ADDR": remote}
    if header:
        meta["HTTP_" + header.upper().replace("-", "_")] = forwarded
    else:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(ENVGOV_TRUSTED_PROXY_HEADER=header, ENVGOV_TRUSTED_PROXY_COUNT=count):
        assert client_address(RequestFactory().get("/", **meta)) == expected


def test_behind_the_proxy_one_client_does_not_hold_the_whole_office(world, settings):
    settings.ENVGOV_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.1"  # every request reaches the app from the proxy
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(5):
        guesser.post("/login/", {"username": "coordinator", "password": "wrong"})
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _signed_in(colleague.post("/login/", {"username": "coordinator", "password": PW}), colleague)


# ---------------------------------------------------------------- API tokens

def test_bad_tokens_are_throttled_by_address(world):
    c = Client(REMOTE_ADDR="10.5.0.1")
    for i in range(policy.TOKEN_ADDRESS.free_failures):
        assert c.get("/api/plans", HTTP_AUTHORIZATION=f"Bearer egv_wrong{i}").status_code == 401
    r = c.get("/api/plans", HTTP_AUTHORIZATION="Bearer egv_wrong-again")
    assert r.status_code == 429 and "秒后再试" in r.json()["detail"] and int(r["Retry-After"]) > 0
    from envgov.apps.accounts.models import ApiToken

    _, key = ApiToken.issue(world["unit_a"], "t")  # a valid token from elsewhere is unaffected
    assert Client(REMOTE_ADDR="10.5.0.2").get("/api/plans", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


# ---------------------------------------------------------------- TOTP

RFC6238_SHA1 = [  # RFC 6238 Appendix B (SHA-1 rows), key "12345678901234567890", 8 digits
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
    (2000000000, "69279037"), (20000000000, "65353130"),
]


@pytest.mark.parametrize("when, code", RFC6238_SHA1)
def test_totp_matches_rfc6238_vectors(when, code):
    from envgov.apps.accounts import totp

    assert totp.hotp(b"12345678901234567890", int(when // 30), digits=8) == code


def test_hotp_matches_rfc4226_vectors():
    from envgov.apps.accounts import totp

    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
                "520489"]  # RFC 4226 Appendix D
    assert [totp.hotp(b"12345678901234567890", i) for i in range(10)] == expected


def _enrol(client: Client, user) -> str:  # noqa: ANN001
    from envgov.apps.accounts import totp

    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    secret = client.session["totp_pending"]
    assert secret.replace(" ", "")[:4] in page.content.decode() and "otpauth://totp/" in page.content.decode()
    r = client.post("/account/two-factor/", {"op": "enable", "code": totp.code_at(secret)})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled_at is not None
    return secret


def test_totp_enrolment_and_login(world):
    from envgov.apps.accounts import totp
    from envgov.apps.accounts.models import User

    c = Client()
    c.force_login(world["coordinator"])
    secret = _enrol(c, world["coordinator"])
    User.objects.filter(pk=world["coordinator"].pk).update(totp_last_step=None)
    # password alone no longer signs in (same message as a wrong password)
    c = Client()
    r = c.post("/login/", {"username": "coordinator", "password": PW})
    assert r.status_code == 200 and "_auth_user_id" not in c.session and "用户名或密码不正确" in r.content.decode()
    r = c.post("/login/", {"username": "coordinator", "password": PW, "otp": "000000" if totp.code_at(secret) != "000000" else "111111"})
    assert "_auth_user_id" not in c.session
    code = totp.code_at(secret)
    assert _signed_in(c.post("/login/", {"username": "coordinator", "password": PW, "otp": code}), c)
    # the same code cannot be used twice
    again = Client()
    again.post("/login/", {"username": "coordinator", "password": PW, "otp": code})
    assert "_auth_user_id" not in again.session


def test_totp_at_the_admin_login(world):
    from envgov.apps.accounts import totp
    from envgov.apps.accounts.models import User

    User.objects.filter(username="admin").update(is_staff=True)
    c = Client()
    c.force_login(world["admin"])
    secret = _enrol(c, world["admin"])
    User.objects.filter(pk=world["admin"].pk).update(totp_last_step=None)
    c = Client()
    page = c.get("/admin/login/").content.decode()
    assert 'name="otp"' in page
    c.post("/admin/login/", {"username": "admin", "password": PW})
    assert "_auth_user_id" not in c.session
    r = c.post("/admin/login/", {"username": "admin", "password": PW, "otp": totp.code_at(secret)})
    assert r.status_code == 302 and "_auth_user_id" in c.session


def test_totp_only_for_admin_and_coordinator(world):
    c = Client()
    c.force_login(world["unit_a"])
    assert c.get("/account/two-factor/").status_code == 403


def test_wrong_enrolment_code_enables_nothing_and_admin_can_reset(world):
    from envgov.apps.audit.models import AuditLog

    c = Client()
    c.force_login(world["coordinator"])
    c.get("/account/two-factor/")
    r = c.post("/account/two-factor/", {"op": "enable", "code": "12"})
    assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    world["coordinator"].refresh_from_db()
    assert world["coordinator"].totp_enabled_at is None
    _enrol(c, world["coordinator"])
    admin = Client()
    admin.force_login(world["admin"])
    assert admin.post(f"/manage/users/{world['coordinator'].pk}/two-factor-reset/").status_code == 302
    world["coordinator"].refresh_from_db()
    assert world["coordinator"].totp_enabled_at is None and world["coordinator"].totp_secret == ""
    assert set(AuditLog.objects.filter(object_id=str(world["coordinator"].pk)).values_list("action", flat=True)) >= {
        "totp_enable", "totp_reset"}
    assert "totp_secret" not in str(list(AuditLog.objects.values_list("after", flat=True)))


def test_code_window_allows_one_step_of_drift():
    from envgov.apps.accounts import totp

    secret = totp.new_secret()
    now = time.time()
    assert totp.matching_step(secret, totp.code_at(secret, now - 30), when=now) is not None
    assert totp.matching_step(secret, totp.code_at(secret, now - 95), when=now) is None
