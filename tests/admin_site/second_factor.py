"""A staff member's second factor in tests: a TOTP device and its current code."""

from django.contrib.auth.models import AbstractBaseUser
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user: AbstractBaseUser) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    return device


def totp_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def session_verify(client: ClientMixin, user: AbstractBaseUser) -> None:
    """Marks the client's session as past the second factor, as django_otp.login does."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
