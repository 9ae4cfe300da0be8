"""Staff sign-in: the lock-out after wrong passwords (django-axes) and the second factor
(django-otp, django-two-factor-auth) for everyone who may read a person's data."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.privacy.roles import ANALYST, CAMPAIGN_MANAGER, PRIVACY_OFFICER, ROLES, SUPPORT
from config.admin.second_factor import role_reads_personal_data, second_factor_required
from tests.admin_site.second_factor import totp_code, totp_device
from tests.factories import PASSWORD, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_reset")]

LOGIN = "/admin/login/?next=/admin/"
STEP = "staff_login_view-current_step"
PROFILES = "/admin/profiles/profile/"


def _password(client, username: str, password: str = PASSWORD, *, ip: str = "10.0.0.1"):
    return client.post(
        LOGIN, {STEP: "auth", "username": username, "password": password}, REMOTE_ADDR=ip
    )


def _code(client, code: str):
    return client.post(LOGIN, {STEP: "token", "token-otp_token": code})


def _staff(role: str | None = None, **fields):
    user = StaffUserFactory(**fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def _fail(client, username: str, times: int, *, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        _password(client, username, "wrong", ip=ip)


def test_wrong_passwords_lock_the_account_even_for_the_right_password(client, settings):
    user = _staff(is_superuser=True)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    response = _password(client, user.username)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fewer_wrong_passwords_than_the_limit_do_not_lock(client, settings):
    user = _staff(CAMPAIGN_MANAGER)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)

    response = _password(client, user.username)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_passwords_from_many_addresses_lock_the_account(client, settings):
    user = _staff(CAMPAIGN_MANAGER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, user.username, 1, ip=f"10.0.1.{n}")

    assert _password(client, user.username, ip="10.0.2.1").status_code == 429


def test_wrong_passwords_for_many_accounts_lock_the_address(client, settings):
    user = _staff(CAMPAIGN_MANAGER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, f"guess{n}", 1, ip="10.0.3.3")

    assert _password(client, user.username, ip="10.0.3.3").status_code == 429
    assert _password(client, user.username, ip="10.0.3.4").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, settings):
    user = _staff(CAMPAIGN_MANAGER)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    assert _password(client, user.username).status_code == 429

    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        assert _password(client, user.username).status_code == 302


def test_the_locked_page_says_when_and_whom_to_ask_in_german(client, settings):
    user = _staff(CAMPAIGN_MANAGER)
    client.cookies["django_language"] = "de"
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    page = _password(client, user.username).content.decode()

    assert "Anmeldung gesperrt" in page
    assert "Versuchen Sie es nach" in page
    assert "Zugriffsversuche" in page


def test_roles_that_read_personal_data_need_the_second_factor():
    readers = {role for role in ROLES if role_reads_personal_data(role)}

    assert {PRIVACY_OFFICER, SUPPORT} <= readers
    assert not readers & {CAMPAIGN_MANAGER, ANALYST}


def test_second_factor_required_follows_the_role():
    assert second_factor_required(_staff(PRIVACY_OFFICER))
    assert second_factor_required(_staff(SUPPORT))
    assert second_factor_required(_staff(is_superuser=True))
    assert not second_factor_required(_staff(CAMPAIGN_MANAGER))
    assert not second_factor_required(_staff(ANALYST))


def test_privacy_officer_without_a_device_is_sent_to_set_one_up(client):
    user = _staff(PRIVACY_OFFICER)
    _password(client, user.username)

    assert client.get("/admin/login/").url == reverse("two_factor:setup")
    profiles = client.get(PROFILES, follow=True)
    assert profiles.redirect_chain[-1][0] == reverse("two_factor:setup")
    assert profiles.templates[0].name == "two_factor/core/setup.html"


def test_setting_up_the_device_opens_the_admin(client):
    user = _staff(PRIVACY_OFFICER)
    _password(client, user.username)
    setup = reverse("two_factor:setup")
    client.post(setup, {"staff_setup_view-current_step": "welcome"})
    secret = client.session["django_two_factor-qr_secret_key"]
    device = TOTPDevice(key=_hex(secret))

    response = client.post(
        setup, {"staff_setup_view-current_step": "generator", "generator-token": totp_code(device)}
    )

    assert response.url == reverse("two_factor:setup_complete")
    assert TOTPDevice.objects.get(user=user, confirmed=True)
    assert client.get(PROFILES).status_code == 200


def test_password_and_code_open_the_admin(client):
    user = _staff(PRIVACY_OFFICER)
    device = totp_device(user)
    _password(client, user.username)
    assert client.get(PROFILES).status_code == 302

    response = _code(client, totp_code(device))

    assert response.url == "/admin/"
    assert client.get(PROFILES).status_code == 200


def test_a_wrong_code_opens_nothing(client):
    user = _staff(is_superuser=True)
    totp_device(user)
    _password(client, user.username)

    response = _code(client, "000000")

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_campaign_manager_is_not_asked_for_a_second_factor(client):
    user = _staff(CAMPAIGN_MANAGER)
    _password(client, user.username)

    assert client.get("/admin/campaigns/campaign/").status_code == 200


def test_campaign_manager_with_a_device_is_asked_for_its_code(client):
    user = _staff(CAMPAIGN_MANAGER)
    device = totp_device(user)
    _password(client, user.username)
    assert client.get("/admin/campaigns/campaign/").status_code == 302

    _code(client, totp_code(device))

    assert client.get("/admin/campaigns/campaign/").status_code == 200


@pytest.mark.password_only
def test_a_session_without_the_second_factor_opens_no_admin_page(client):
    user = _staff(is_superuser=True)
    totp_device(user)
    client.force_login(user)

    for path in ("/admin/", PROFILES, "/admin/section/privacy/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


@pytest.mark.password_only
def test_staff_without_the_second_factor_may_still_sign_out(client):
    client.force_login(_staff(SUPPORT))

    client.post(reverse("admin:logout"))

    assert "_auth_user_id" not in client.session


def test_force_login_in_tests_passes_the_second_factor(client):
    client.force_login(_staff(SUPPORT))

    assert client.get(PROFILES).status_code == 200


def _hex(b32: str) -> str:
    from base64 import b32decode

    return b32decode(b32).hex()


def test_the_demo_staff_signs_in_with_a_printed_backup_code(client):
    from apps.core.demo import DEMO_STAFF_PASSWORD, demo_staff_ensure

    staff = demo_staff_ensure()
    _password(client, staff.username, DEMO_STAFF_PASSWORD)
    client.post(LOGIN, {STEP: "token", "wizard_goto_step": "backup"})

    response = client.post(LOGIN, {STEP: "backup", "backup-otp_token": staff.backup_codes[0]})

    assert response.url == "/admin/"
    assert client.get(PROFILES).status_code == 200


def test_the_demo_staff_key_gives_the_codes_of_its_device():
    from apps.core.demo import demo_staff_ensure

    staff = demo_staff_ensure()
    device = TOTPDevice.objects.get(user__username=staff.username, name="default")

    assert device.key == _hex(staff.totp_key)
