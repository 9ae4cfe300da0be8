"""A privacy officer's first sign-in: password, setting up the authenticator app from the QR
code page, backup codes, then the admin; and the page a locked-out sign-in gets."""

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from apps.privacy.roles import PRIVACY_OFFICER, roles_sync
from tests.admin_site.second_factor import totp_code
from tests.e2e.conftest import PHONE
from tests.e2e.tour import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "sign-in-e2e"


def _password(page: Page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()


def test_a_privacy_officer_sets_up_the_second_factor_before_any_admin_page(
    live_server, page: Page, console_errors: list[str]
):
    roles_sync()  # an earlier browser test emptied the database, groups included
    user = User.objects.create_user(username="officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    page.set_viewport_size(PHONE)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))

    _password(page, live_server, "officer", PASSWORD)
    expect(page.get_by_role("heading", name="Zweiten Faktor einrichten")).to_be_visible()
    screenshot(page, "staff-second-factor-welcome")
    page.get_by_role("button", name=re.compile("^Los geht")).click()

    expect(page.get_by_alt_text("QR-Code für Ihre Authenticator-App")).to_be_visible()
    secret = page.locator(".sign-in__secret").inner_text().strip()
    screenshot(page, "staff-second-factor-qr")
    page.get_by_label(re.compile("^Code:?$")).fill(_code(secret))
    page.get_by_role("button", name="Bestätigen").click()

    expect(page.get_by_role("heading", name="Zweiter Faktor eingerichtet")).to_be_visible()
    page.get_by_role("button", name="Backup-Codes erstellen").click()
    expect(page.locator(".sign-in__codes li")).to_have_count(10)
    screenshot(page, "staff-second-factor-backup-codes")
    page.get_by_role("link", name="Weiter zur Verwaltung").click()
    expect(page.get_by_role("link", name="Datenschutz").first).to_be_visible()
    assert console_errors == []


def test_a_locked_out_sign_in_says_when_to_try_again(live_server, page: Page):
    User.objects.create_user(username="locked", password=PASSWORD, is_staff=True)
    page.set_viewport_size(PHONE)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password(page, live_server, "locked", "wrong")
    _password(page, live_server, "locked", PASSWORD)

    expect(page.get_by_role("heading", name="Anmeldung gesperrt")).to_be_visible()
    expect(page.get_by_text("Versuchen Sie es nach")).to_be_visible()
    screenshot(page, "staff-sign-in-locked")


def _code(secret_b32: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return totp_code(TOTPDevice(key=b32decode(secret_b32).hex()))
