"""Demo data for a local run. Every step is idempotent: a second run changes nothing."""

from base64 import b32encode
from dataclasses import dataclass
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

DEMO_STAFF_USERNAME = "staff"
DEMO_STAFF_EMAIL = "staff@resonanz.example"
DEMO_STAFF_PASSWORD = "resonanz-demo"
# The demo superuser's second factor, known to everyone like its password: the key for an
# authenticator app and backup codes, each code good once (README, "Staff sign-in").
DEMO_STAFF_TOTP_KEY = b"resonanz-demo-totp!!".hex()
DEMO_STAFF_BACKUP_CODES = tuple(f"demo{n:04d}" for n in range(1, 11))


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    created: bool
    totp_key: str = b32encode(bytes.fromhex(DEMO_STAFF_TOTP_KEY)).decode()
    backup_codes: tuple[str, ...] = DEMO_STAFF_BACKUP_CODES


@transaction.atomic
def demo_staff_ensure() -> DemoStaff:
    """A superuser for the admin with its second factor; an existing one is left exactly as
    it is."""
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_STAFF_USERNAME).exists():
        return DemoStaff(DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD, created=False)
    user = user_model.objects.create_superuser(
        username=DEMO_STAFF_USERNAME, email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD
    )
    # "default" is the device django-two-factor-auth asks for at sign-in.
    TOTPDevice.objects.create(user=user, name="default", key=DEMO_STAFF_TOTP_KEY, confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    backup.token_set.bulk_create(
        [backup.token_set.model(device=backup, token=code) for code in DEMO_STAFF_BACKUP_CODES]
    )
    return DemoStaff(DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD, created=True)


def demo_artwork(colour: str, size: tuple[int, int], name: str) -> SimpleUploadedFile:
    """Demo art without shipping files: soft circles on a gradient of the theme colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        fade = y / height * 0.6
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(c + (255 - c) * fade) for c in (red, green, blue)),
        )
    light = tuple(int(c + (255 - c) * 0.75) for c in (red, green, blue))
    for cx, cy, radius in ((0.2, 0.3, 0.25), (0.75, 0.6, 0.35), (0.5, 0.9, 0.15)):
        r = radius * min(width, height)
        x, y = cx * width, cy * height
        draw.ellipse([x - r, y - r, x + r, y + r], fill=light)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")
