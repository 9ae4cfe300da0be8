from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, within_schedule
from apps.core.validators import validate_site_or_https_link
from apps.preferences.models import Attribute
from apps.profiles.models import Profile


class Segment(TimeStampedModel):
    """A group of customers described by a rule over what they told us and did with us.

    The rule is a tree: {"all": [...]}, {"any": [...]}, {"not": rule}, or one condition such as
    {"attribute": "diet", "op": "eq", "value": "vegan"}; see `apps.personalization.rules`. It
    compiles to one SQL query, always limited to customers who granted `personalization`.
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(_("rule"), default=dict)
    materialize = models.BooleanField(
        _("keep a member list"),
        default=False,
        help_text=_(
            "For large segments: members are stored nightly and kept current as "
            "customers act, instead of being computed on every read."
        ),
    )
    materialized_at = models.DateTimeField(_("members stored"), null=True, blank=True)
    materialize_ms = models.PositiveIntegerField(_("last run took (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A stored member of a materialised segment."""

    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.CASCADE, related_name="members"
    )
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("segment member")
        verbose_name_plural = _("segment members")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "profile"], name="personalization_member_once"
            ),
        ]
        indexes = [models.Index(fields=["profile"], name="personalization_member_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.profile_id}"


# "Not interested" is declared under this attribute, whose values are the offers' keys.
OFFERS_NOT_INTERESTED = "offers_not_interested"


class OfferQuerySet(models.QuerySet["Offer"]):
    def running(self, at=None) -> "OfferQuerySet":
        at = at or timezone.now()
        return self.filter(within_schedule(at), is_active=True)


class Offer(TimeStampedModel):
    """Something the brand offers, matched to what customers declared about themselves."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    link = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A path on this site or an https address."),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("invites to the campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Recommend a quiz, poll or survey: shown only while it runs and until the "
            "customer has played it; the link goes to the campaign."
        ),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("only for segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("Breaks ties between equally good matches.")
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-priority", "key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if self.link:
            try:
                validate_site_or_https_link(self.link)
            except ValidationError as error:
                raise ValidationError({"link": error.messages}) from None
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if self.campaign_id and self.link:
            raise ValidationError({"link": _("An offer for a campaign links to the campaign.")})

    @property
    def target_url(self) -> str:
        """Where "Have a look" goes: the campaign it invites to, or its own link."""
        if self.campaign_id:
            return reverse("campaigns:intro", args=[self.campaign.slug])
        return self.link


class OfferMatch(models.Model):
    """A declared value the offer suits: the offer "Vegan box" matches diet = vegan."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="matches"
    )
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(_("value"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        verbose_name = _("matching value")
        verbose_name_plural = _("matching values")
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "attribute", "value"], name="personalization_match_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id} = {self.value}"

    def clean(self) -> None:
        if not self.attribute_id:
            return
        if not self.attribute.has_choices:
            raise ValidationError({"attribute": _("Offers match answers of choice attributes.")})
        if not self.attribute.values.filter(key=self.value).exists():
            raise ValidationError(
                {
                    "value": _("“%(key)s” has no value “%(value)s”.")
                    % {"key": self.attribute.key, "value": self.value}
                }
            )


class ChurnScore(models.Model):
    """How likely a customer is to drift away, from their own activity, with the reasons."""

    class Band(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    profile = models.OneToOneField(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="churn_score"
    )
    score = models.PositiveSmallIntegerField(_("risk (0-100)"))
    band = models.CharField(_("band"), max_length=10, choices=Band)
    # [{"feature": "recency", "points": 30, "value": 75}, ...], largest first.
    contributions = models.JSONField(_("what drives it"), default=list)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("churn risk")
        verbose_name_plural = _("churn risks")
        indexes = [models.Index(fields=["band", "-score"], name="personalization_churn_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.score}"


class OfferSettings(models.Model):
    """What the customer set for offers in their preference center."""

    profile = models.OneToOneField(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="offer_settings"
    )
    paused = models.BooleanField(_("no offers for now"), default=False)
    max_per_week = models.PositiveSmallIntegerField(
        _("at most this many new offers a week"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer settings")
        verbose_name_plural = _("offer settings")

    def __str__(self) -> str:
        return str(self.profile_id)


class OfferImpression(models.Model):
    """An offer shown to a customer, for the frequency they chose."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="+"
    )
    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE)
    shown_at = models.DateTimeField(_("shown"), default=timezone.now)

    class Meta:
        verbose_name = _("offer shown")
        verbose_name_plural = _("offers shown")
        indexes = [models.Index(fields=["profile", "-shown_at"], name="personalization_shown_idx")]

    def __str__(self) -> str:
        return f"{self.offer_id} to {self.profile_id}"


class CareFlag(models.Model):
    """Staff mark a customer who needs care (after a complaint, say): no promotions at all."""

    profile = models.OneToOneField(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="care_flag"
    )
    reason = models.CharField(_("reason"), max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("needs care")
        verbose_name_plural = _("need care")

    def __str__(self) -> str:
        return str(self.profile_id)
