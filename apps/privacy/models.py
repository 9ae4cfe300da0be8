import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.events import ConsentWithdrawn
from apps.consent.models import Purpose
from apps.privacy.storage import export_storage
from apps.profiles.events import ProfileErased
from apps.profiles.models import Profile

DEFAULT_DAYS_AFTER_WITHDRAWAL = 30


class RetentionRule(models.Model):
    """How long one kind of data collected under a purpose is kept. Without a rule, the
    purpose's own retention applies, and 30 days after a withdrawal."""

    class DataKind(models.TextChoices):
        DECLARATIONS = "declarations", _("Declared preferences and their history")
        ANSWERS = "answers", _("Quiz answers")

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.CASCADE, related_name="+"
    )
    data_kind = models.CharField(_("data"), max_length=20, choices=DataKind)
    days_after_withdrawal = models.PositiveIntegerField(
        _("days kept after a withdrawal"),
        default=DEFAULT_DAYS_AFTER_WITHDRAWAL,
        help_text=_("Time to answer questions about the withdrawal before the data goes."),
    )
    max_age_days = models.PositiveIntegerField(
        _("kept at most (days)"),
        null=True,
        blank=True,
        help_text=_("Counted from the last confirmation. Empty: the purpose's retention."),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["purpose__position", "purpose__key", "data_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "data_kind"], name="privacy_retention_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id}: {self.data_kind}"


class RetentionRun(models.Model):
    """What one retention sweep removed: counts only, never what the data was."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    removed = models.JSONField(_("removed"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"retention {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total_removed(self) -> int:
        return sum(self.removed.values())


def export_file_name(instance: "DataRequest", filename: str) -> str:
    # Unguessable, and naming nobody.
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zip"


class DataRequestQuerySet(models.QuerySet["DataRequest"]):
    def open(self) -> "DataRequestQuerySet":
        return self.filter(status__in=DataRequest.OPEN_STATUSES)

    def overdue(self, at=None) -> "DataRequestQuerySet":
        return self.open().filter(due_at__lt=at or timezone.now())


class DataRequest(models.Model):
    """A person's request to get (Art. 15 and 20 GDPR) or erase (Art. 17) all their data,
    made on the website or written to us, with the date the answer is due. Kept after an
    erasure, pointing at the tombstone, as proof that the request was answered."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Copy of all data")
        ERASURE = "erasure", _("Erasure of all data")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        MAIL = "mail", _("Written to us")

    OPEN_STATUSES = (Status.PENDING, Status.RUNNING)

    public_id = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("request"), max_length=20, choices=Kind)
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="data_requests"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.WEB)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the customer asked on the website."),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    file = models.FileField(
        _("file"), storage=export_storage, upload_to=export_file_name, blank=True, editable=False
    )
    # Counts only, per app: what an erasure removed or pseudonymised.
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind"],
                condition=models.Q(status__in=["pending", "running"]),
                name="privacy_one_open_request_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="privacy_request_due_idx"),
            models.Index(
                fields=["profile", "kind", "-requested_at"], name="privacy_request_profile_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.public_id)[:8]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


class PartnerNotice(models.Model):
    """A partner told that a customer withdrew a purpose or was erased, and when it
    acknowledged that: one of its webhook endpoints answered the message with 2xx, or the
    partner confirmed it to our staff. A partner without a webhook endpoint learns it from its
    change feed and confirms it to us."""

    class Kind(models.TextChoices):
        CONSENT_WITHDRAWN = ConsentWithdrawn.name, _("Consent withdrawn")
        PROFILE_ERASED = ProfileErased.name, _("Profile erased")

    class Via(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook and change feed")
        FEED = "feed", _("Change feed only")

    class Acknowledgement(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook answered with success")
        STAFF = "staff", _("Confirmed to our staff")

    partner = models.ForeignKey(
        "partners.PartnerClient",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("notice"), max_length=40, choices=Kind)
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="+"
    )
    # The id the partner knows the customer by; after an erasure no profile has it any more.
    subject_public_id = models.UUIDField(_("customer id told"))
    purpose_key = models.CharField(_("purpose"), max_length=50, blank=True)
    data_request = models.ForeignKey(
        DataRequest,
        verbose_name=_("data request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_notices",
    )
    event_id = models.BigIntegerField(_("event"))
    via = models.CharField(_("told by"), max_length=20, choices=Via)
    told_at = models.DateTimeField(_("told"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_via = models.CharField(
        _("acknowledged by"), max_length=20, choices=Acknowledgement, blank=True
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner notice")
        verbose_name_plural = _("partner notices")
        ordering = ["-told_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "partner"], name="privacy_notice_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["told_at"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="privacy_notice_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.partner_id}"
