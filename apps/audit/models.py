"""Who read a person's data (the access log) and who changed the configuration that decides
what happens to it (the configuration audit trail). Both append-only, written from every app."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyModel
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
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        # Made in the privacy app; the table and index kept their names when the model moved.
        db_table = "privacy_accesslog"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "-occurred_at"], name="privacy_access_profile_idx")
        ]

    def __str__(self) -> str:
        return f"{self.actor_kind} {self.action} {self.data_category} of {self.profile_id}"


class ConfigChange(AppendOnlyModel):
    """A staff change to configuration that decides what happens to people's data:
    purposes and their wording, rules, partner access, roles. Append-only."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")

    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Kept when the account is deleted, so the trail still names who it was.
    staff_username = models.CharField(_("staff user name"), max_length=150)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    changes = models.JSONField(_("changes"), default=dict)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("configuration change")
        verbose_name_plural = _("configuration changes")
        db_table = "privacy_configchange"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="privacy_configchange_obj_idx")
        ]

    def __str__(self) -> str:
        return f"{self.staff_username} {self.action} {self.object_repr}"
