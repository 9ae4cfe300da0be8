from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.profiles.models import Profile


class AccessLog(models.Model):
    """Who read which of a person's data, for what, and when. Append-only."""

    class ActorKind(models.TextChoices):
        STAFF = "staff", _("Staff")
        PARTNER = "partner", _("Partner")

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="access_log"
    )
    actor_kind = models.CharField(_("actor"), max_length=20, choices=ActorKind)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    partner_name = models.CharField(_("partner"), max_length=200, blank=True)
    data_category = models.CharField(_("data"), max_length=100)
    purpose_key = models.CharField(_("purpose"), max_length=50, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action, default=Action.VIEW)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "-occurred_at"], name="privacy_access_profile_idx")
        ]

    def __str__(self) -> str:
        return f"{self.actor_kind} {self.action} {self.data_category} of {self.profile_id}"
