from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.consent.models import ConsentEvent, Purpose
from apps.core.models import AppendOnlyModel, TimeStampedModel
from apps.profiles.models import Profile


class Attribute(TimeStampedModel):
    """Something a customer can tell us about themselves, collected for exactly one purpose."""

    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        SCALE = "scale", _("Scale")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Free text")
        DATE = "date", _("Date")

    class Topic(models.TextChoices):
        TASTE = "taste", _("Taste and style")
        FOOD = "food", _("Food and drink")
        SHOPPING = "shopping", _("Shopping")
        COMMUNICATION = "communication", _("How we stay in touch")
        WELLBEING = "wellbeing", _("Wellbeing")
        OPINIONS = "opinions", _("Your opinions")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic)
    purpose = models.ForeignKey(
        Purpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="attributes"
    )
    label = models.CharField(_("label"), max_length=200)
    is_special_category = models.BooleanField(
        _("special category"),
        default=False,
        help_text=_("Health, religion and similar: needs a purpose that allows it."),
    )
    freshness_days = models.PositiveIntegerField(
        _("fresh for (days)"),
        null=True,
        blank=True,
        help_text=_("After this, the customer is asked whether it is still true. Empty: never."),
    )
    intent_horizon_days = models.PositiveIntegerField(
        _("an intent for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "For plans such as “buying a bike within 3 months”: the answer counts as a lead for "
            "this many days, less each day. Empty: not an intent."
        ),
    )
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_asked = models.BooleanField(
        _("asked in the preference center"),
        default=True,
        help_text=_(
            "Off for what customers tell us elsewhere, such as “not interested” in an offer: "
            "shown once they said it, never offered as a question."
        ),
    )

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["topic", "position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="preferences_attribute_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if (
            self.is_special_category
            and self.purpose_id
            and not self.purpose.allows_special_category
        ):
            raise ValidationError(
                {"purpose": _("A special-category attribute needs a purpose that allows it.")}
            )
        if self.kind in (self.Kind.SCALE, self.Kind.NUMBER) and (
            self.min_value is None or self.max_value is None
        ):
            raise ValidationError(_("Scales and numbers need a minimum and a maximum."))

    @property
    def purpose_title(self) -> str:
        version = self.purpose.current_version
        return version.title if version else self.purpose.key

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)


class AttributeValue(models.Model):
    """One allowed answer of a choice attribute, with its label per language."""

    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.CASCADE, related_name="values"
    )
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("allowed value")
        verbose_name_plural = _("allowed values")
        ordering = ["attribute", "position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "key"], name="preferences_value_unique_per_attribute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}={self.key}"


class Source(models.TextChoices):
    QUIZ = "quiz", _("Quiz answer")
    PREFERENCE_CENTER = "preference_center", _("Preference center")
    CHALLENGE = "challenge", _("Challenge")
    PARTNER_API = "partner_api", _("Partner API")
    IMPORT = "import", _("Import")
    OFFER_FEEDBACK = "offer_feedback", _("“Not interested” in an offer")


class Declaration(models.Model):
    """What one customer currently says about one attribute, and where it came from."""

    # Neither key needs an index of its own: the unique (profile, attribute) constraint and
    # the (attribute, profile) index below each start with one of them.
    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="declarations",
        db_index=False,
    )
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, db_index=False
    )
    value = models.JSONField(_("value"))
    source = models.CharField(_("source"), max_length=20, choices=Source)
    source_ref = models.CharField(
        _("source object"), max_length=200, blank=True, help_text=_("e.g. answer:42, partner:shop")
    )
    source_label = models.CharField(
        _("source name"), max_length=200, blank=True, help_text=_("e.g. the quiz title")
    )
    consent_event = models.ForeignKey(
        ConsentEvent,
        verbose_name=_("consent that allowed it"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("last confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "attribute"], name="preferences_one_declaration_per_attribute"
            ),
        ]
        # Not (attribute, value, ...): a B-tree entry has a size limit that a long answer or
        # a long "not interested" list would exceed, and the declaration could not be saved.
        indexes = [models.Index(fields=["attribute", "profile"], name="preferences_attr_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.attribute_id}"

    @property
    def source_sentence(self) -> str:
        """Where this came from, in plain words: "in the Summer Style quiz on 3 May"."""
        when = formats.date_format(timezone.localtime(self.declared_at), "DATE_FORMAT")
        name = self.source_label
        sentences = {
            Source.QUIZ: gettext("in the quiz “%(name)s” on %(date)s"),
            Source.CHALLENGE: gettext("in the challenge “%(name)s” on %(date)s"),
            Source.PARTNER_API: gettext("via %(name)s on %(date)s"),
            Source.PREFERENCE_CENTER: gettext("in your preference center on %(date)s"),
            Source.IMPORT: gettext("from an import on %(date)s"),
            Source.OFFER_FEEDBACK: gettext(
                "when you said “not interested” to “%(name)s” on %(date)s"
            ),
        }
        named = (Source.QUIZ, Source.CHALLENGE, Source.PARTNER_API, Source.OFFER_FEEDBACK)
        if not name and self.source in named:
            return gettext("on %(date)s") % {"date": when}
        return sentences[self.source] % {"name": name, "date": when}

    @property
    def stale_since(self) -> date | None:
        if self.attribute.freshness_days is None:
            return None
        # The customer's calendar day, as `is_stale` compares it with today's.
        return timezone.localdate(self.confirmed_at + timedelta(days=self.attribute.freshness_days))

    @property
    def is_stale(self) -> bool:
        stale_since = self.stale_since
        return stale_since is not None and stale_since <= timezone.localdate()


class DeclarationHistory(AppendOnlyModel):
    """Every change to a declaration, as it happened. Never updated."""

    deletable = True

    class Action(models.TextChoices):
        DECLARED = "declared", _("Declared")
        CHANGED = "changed", _("Changed")
        CONFIRMED = "confirmed", _("Confirmed")
        DELETED = "deleted", _("Deleted")

    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="declaration_history",
    )
    attribute = models.ForeignKey(Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    value = models.JSONField(_("value"), null=True)
    source = models.CharField(_("source"), max_length=20, choices=Source)
    source_ref = models.CharField(_("source object"), max_length=200, blank=True)
    source_label = models.CharField(_("source name"), max_length=200, blank=True)
    consent_event = models.ForeignKey(
        ConsentEvent,
        verbose_name=_("consent that allowed it"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("declaration history entry")
        verbose_name_plural = _("declaration history")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["profile", "attribute", "-id"], name="preferences_history_idx")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.attribute_id} ({self.recorded_at:%Y-%m-%d})"
