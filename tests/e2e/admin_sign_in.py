"""Signing in to the admin in the browser: password, then the code of the user's
authenticator app, as staff do (a device is made for users who have none)."""

from django.contrib.auth import get_user_model
from playwright.sync_api import Page

from tests.admin_site.second_factor import totp_code, totp_device


def admin_sign_in(page: Page, url: str, username: str, password: str) -> None:
    device = totp_device(get_user_model().objects.get(username=username))
    # A code is accepted once; a test signing the same user in twice within its 30 seconds
    # would otherwise be refused the second time.
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.locator("#id_token-otp_token").fill(totp_code(device))
    page.locator("#login-form [type=submit]").click()
