import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

DEFAULT_TIME_ZONE = "Europe/Berlin"


class Profile(TimeStampedModel):
    """The data subject: one person, anonymous until they identify themselves."""

    class Kind(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous")
        MEMBER = "member", _("Member")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ANONYMOUS)
    locale = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["kind", "created_at"], name="profiles_kind_created_idx")]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def is_member(self) -> bool:
        return self.kind == self.Kind.MEMBER
