import uuid

from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyModel, ImmutableRecordError, TimeStampedModel
from apps.core.translated_fields import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE, translations
from apps.profiles.models import Profile


class PurposeManager(models.Manager["Purpose"]):
    def get_queryset(self) -> models.QuerySet["Purpose"]:
        # A purpose is named by its current wording's title: read with it, a list of them
        # (in a form, a filter, a related set) costs one query however long.
        return super().get_queryset().select_related("current_version")


class Purpose(TimeStampedModel):
    """Why data is used. Every declared attribute is collected for exactly one purpose."""

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        CONTRACT = "contract", _("Contract")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    lawful_basis = models.CharField(
        _("lawful basis"), max_length=30, choices=LawfulBasis, default=LawfulBasis.CONSENT
    )
    is_sale_or_share = models.BooleanField(
        _("sale or sharing of data"),
        default=False,
        help_text=_("A Global Privacy Control signal withdraws this purpose."),
    )
    allows_special_category = models.BooleanField(
        _("may cover special-category data"),
        default=False,
        help_text=_("Health, religion and similar data; the wording must ask explicitly."),
    )
    requires_double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=False,
        help_text=_("The grant is pending until the customer confirms a link sent by e-mail."),
    )
    retention_days = models.PositiveIntegerField(
        _("retention (days)"), help_text=_("How long data collected under it is kept.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    current_version = models.ForeignKey(
        "PurposeVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Grants of versions older than this do not cover new collection: the customer is asked again.
    material_version_number = models.PositiveIntegerField(
        _("last material version"), default=0, editable=False
    )

    objects = PurposeManager()

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        """Its title, as customers read it; the key until a version is published."""
        version = self.current_version
        return version.title if version and version.title else self.key


class PurposeVersionQuerySet(models.QuerySet["PurposeVersion"]):
    def published(self) -> "PurposeVersionQuerySet":
        return self.filter(published_at__isnull=False)


# The wording a customer agrees to, kept per language.
PURPOSE_WORDING_FIELDS = ("title", "summary", "text")


class PurposeVersion(models.Model):
    """The exact wording shown to a customer. Frozen once published."""

    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    text = models.TextField(_("full text"))
    is_material = models.BooleanField(
        _("material change"),
        default=True,
        help_text=_("Customers who agreed to an earlier version are asked again."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = PurposeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("purpose version")
        verbose_name_plural = _("purpose versions")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="consent_purposeversion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})" if self.title else f"v{self.version}"

    def save(self, *args, **kwargs) -> None:
        # The wording a customer agreed to is evidence; it must never change under them.
        if getattr(self, "_published_in_db", False):
            raise ImmutableRecordError(f"{self} is published and can no longer change.")
        super().save(*args, **kwargs)
        self._published_in_db = self.published_at is not None

    def delete(self, *args, **kwargs):
        if getattr(self, "_published_in_db", False):
            raise ImmutableRecordError(f"{self} is published and can no longer be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._published_in_db = instance.published_at is not None
        return instance

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def languages_missing(self) -> list[str]:
        """Languages in which some of the wording is not written out."""
        return [
            language
            for language in AVAILABLE_LANGUAGES
            if not all(translations(self, field)[language] for field in PURPOSE_WORDING_FIELDS)
        ]

    def wording_language(self, language: str) -> str:
        """The language a customer asking for `language` reads this wording in: theirs where it
        is written out, German (the fallback) where it is not."""
        return DEFAULT_LANGUAGE if language in self.languages_missing() else language


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def with_decision(self) -> "ConsentEventQuerySet":
        """Annotate `decision`: what each event decided, in today's vocabulary. The one rule
        every reader applies (history, receipts, exports, admin, staff figures)."""
        return self.annotate(decision=consent_event_decision())


def consent_event_decision() -> Case:
    """What an event decided, in today's vocabulary, as one expression over its row.

    Before refusals had an action of their own, every "no" was stored as a withdrawal.
    Those rows are evidence and stay as they were written; read here, a stored withdrawal is
    one only when the answer before it (opt-in requests aside) was a yes, given by the
    profile itself or by a profile already merged into it at the time: a yes given on a
    device before signing in counts, a decision of a device that signed in later does not.
    Every other action reads as stored.
    """
    # The profile and those merged into it by the time of the event. Naming them with IN
    # lets the (profile, purpose, -id) index find each one's answers directly.
    profiles_then = Profile.objects.filter(
        Q(pk=OuterRef(OuterRef("profile_id")))
        | Q(
            merged_into_id=OuterRef(OuterRef("profile_id")),
            merged_at__lte=OuterRef(OuterRef("occurred_at")),
        )
    ).values("pk")
    answer_before = (
        ConsentEvent.objects.filter(
            profile_id__in=profiles_then,
            purpose_id=OuterRef("purpose_id"),
            id__lt=OuterRef("id"),
        )
        .exclude(action=ConsentEvent.Action.REQUEST)
        .order_by("-id")
        .values("action")[:1]
    )
    # The answer before is looked up for stored withdrawals only: CASE stops at the first
    # branch that holds.
    return Case(
        When(~Q(action=ConsentEvent.Action.WITHDRAW), then=F("action")),
        When(Exact(Subquery(answer_before), ConsentEvent.Action.GRANT), then=F("action")),
        default=Value(ConsentEvent.Action.REFUSE),
        output_field=models.CharField(),
    )


class ConsentEvent(AppendOnlyModel):
    """One decision, as it happened. Append-only: never updated, never deleted."""

    class Action(models.TextChoices):
        REQUEST = "request", _("Opt-in requested")
        GRANT = "grant", _("Granted")
        # A "no" while nothing was agreed to; a withdrawal takes back a yes.
        REFUSE = "refuse", _("Refused")
        WITHDRAW = "withdraw", _("Withdrawn")

    class Trigger(models.TextChoices):
        CUSTOMER = "customer", _("Customer choice")
        DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in confirmed")
        GPC = "gpc", _("Global Privacy Control signal")

    objects = ConsentEventQuerySet.as_manager()

    receipt_id = models.UUIDField(_("receipt id"), default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="consent_events"
    )
    purpose = models.ForeignKey(Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT)
    purpose_version = models.ForeignKey(
        PurposeVersion, verbose_name=_("version shown"), on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=Trigger, default=Trigger.CUSTOMER
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel)
    collection_point = models.CharField(
        _("collection point"),
        max_length=200,
        help_text=_("Where the decision was taken: a page, campaign or partner."),
    )
    language = models.CharField(_("language shown"), max_length=10)
    ip_hmac = models.CharField(_("IP address (keyed hash)"), max_length=64, blank=True)
    user_agent_hmac = models.CharField(_("user agent (keyed hash)"), max_length=64, blank=True)
    gpc_signal = models.BooleanField(_("Global Privacy Control signal"), default=False)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "purpose", "-id"], name="consent_event_profile_idx"),
            models.Index(
                fields=["purpose", "action", "occurred_at"], name="consent_event_stats_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decided_display()} {self.purpose_id} ({self.receipt_id})"

    @property
    def decided(self) -> str:
        """The decision in today's vocabulary: `decision` where the queryset annotated it
        (see `with_decision`), else the stored action."""
        return getattr(self, "decision", self.action)

    def get_decided_display(self) -> str:
        return str(self.Action(self.decided).label)


class ConsentStateQuerySet(models.QuerySet["ConsentState"]):
    def granted(self) -> "ConsentStateQuerySet":
        return self.filter(status=ConsentState.Status.GRANTED)

    def declined(self) -> "ConsentStateQuerySet":
        return self.filter(status__in=ConsentState.DECLINED)

    def covering_new_collection(self) -> "ConsentStateQuerySet":
        """Granted for a version at or after the purpose's last material change."""
        return self.granted().filter(
            version__version__gte=models.F("purpose__material_version_number")
        )


class ConsentState(models.Model):
    """The current answer per (profile, purpose), written with the event that set it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Both are a "no": nothing may be used or collected, and retention removes what was kept.
    DECLINED = (Status.REFUSED, Status.WITHDRAWN)

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.ForeignKey(Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=20, choices=Status)
    version = models.ForeignKey(
        PurposeVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        ConsentEvent, verbose_name=_("latest event"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ConsentStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "purpose"], name="consent_state_one_per_purpose"
            ),
        ]
        indexes = [
            models.Index(
                fields=["purpose", "profile"],
                condition=Q(status="granted"),
                name="consent_state_granted_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}/{self.purpose_id}: {self.status}"

    @property
    def is_granted(self) -> bool:
        return self.status == self.Status.GRANTED

    @property
    def is_declined(self) -> bool:
        return self.status in self.DECLINED
