from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyModel, TimeStampedModel
from apps.profiles.models import Profile


class Tier(models.Model):
    """A status level reached by points earned within the rolling window."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    threshold = models.PositiveIntegerField(
        _("points needed"), help_text=_("Points earned within the tier window.")
    )
    multiplier = models.DecimalField(
        _("points multiplier"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["threshold"]

    def __str__(self) -> str:
        return self.key


class Account(TimeStampedModel):
    """A profile's points. The balance always equals the sum of its ledger entries."""

    profile = models.OneToOneField(
        Profile, verbose_name=_("profile"), on_delete=models.PROTECT, related_name="account"
    )
    balance = models.IntegerField(_("balance"), default=0)
    lifetime_earned = models.PositiveIntegerField(_("earned in total"), default=0)
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_account_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.balance}"


class LedgerEntry(AppendOnlyModel):
    """One movement of points. Append-only: corrections are new entries."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjusted by staff")
        REVERSE = "reverse", _("Reversed")
        MERGE = "merge", _("Merged from another profile")

    # Every credit writes a row, so no index is kept that another one covers or that would
    # hold only empty values: the account is the first column of two composite indexes.
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    reason = models.CharField(_("reason"), max_length=200)
    source_ref = models.CharField(_("source"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        db_index=False,
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="loyalty_entry_idempotent"
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="loyalty_entry_reversed_once",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="loyalty_entry_not_zero"),
        ]
        indexes = [
            models.Index(fields=["account", "-id"], name="loyalty_entry_account_idx"),
            models.Index(
                fields=["expires_at"],
                condition=Q(amount__gt=0, expires_at__isnull=False),
                name="loyalty_entry_expiring_idx",
            ),
            models.Index(fields=["source_ref", "created_at"], name="loyalty_entry_source_idx"),
            models.Index(
                fields=["staff_user"],
                condition=Q(staff_user__isnull=False),
                name="loyalty_entry_staff_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.kind} ({self.account_id})"


CONSENT_WORDS = ("consent", "purpose", "gpc", "opt_in", "opt-in")


class PointsWithheld(models.TextChoices):
    """Why an occurrence credited no points when it happened. An event says so in its
    payload's `points_withheld`, and earning rules then credit nothing for it: until the
    player signs in (a campaign whose points are for members), or at all (a velocity limit)."""

    NO = "", _("No")
    UNTIL_SIGN_IN = "sign-in", _("Until the player signs in")
    LIMIT = "limit", _("Too many plays from one address")


def rule_source_ref(rule_id: int) -> str:
    """What a rule's credits name as their source in the ledger."""
    return f"rule:{rule_id}"


def rule_credit_key(rule_id: int, occurrence: str) -> str:
    """The ledger key a rule credits one occurrence under: once per rule and occurrence."""
    return f"{rule_source_ref(rule_id)}:{occurrence}"


class EarningRule(TimeStampedModel):
    """Points for taking part: an event, optional conditions on its properties, caps."""

    name = models.CharField(_("name"), max_length=200)
    event_name = models.CharField(
        _("event"), max_length=100, help_text=_("e.g. quiz.completed, preference.confirmed")
    )
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_('Event properties that must match, e.g. {"campaign": "summer-quiz"}.'),
    )
    points = models.PositiveIntegerField(_("points"))
    multiply_by_tier = models.BooleanField(_("multiply by tier"), default=True)
    cap_per_day = models.PositiveIntegerField(_("at most per day"), null=True, blank=True)
    cap_per_week = models.PositiveIntegerField(_("at most per week"), null=True, blank=True)
    cap_lifetime = models.PositiveIntegerField(_("at most ever"), null=True, blank=True)
    global_budget = models.PositiveIntegerField(
        _("budget (points, all customers)"), null=True, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    segment_key = models.SlugField(
        _("only for the segment"),
        max_length=60,
        blank=True,
        help_text=_(
            "A bonus for one group, e.g. customers at high churn risk. Only segments built on "
            "what people did (points, plays, challenges, churn risk) can be used: never on "
            "consent or on what they told us."
        ),
    )

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        indexes = [models.Index(fields=["event_name", "is_active"], name="loyalty_rule_event_idx")]

    def __str__(self) -> str:
        return self.name

    def matches(self, payload: dict) -> bool:
        """Every condition names a property of the event with that value."""
        return all(str(payload.get(key)) == str(value) for key, value in self.conditions.items())

    def clean(self) -> None:
        if not isinstance(self.conditions, dict):
            raise ValidationError({"conditions": _("Conditions must be an object of properties.")})
        # Consent must be freely given: points are for taking part, never for saying yes.
        # Preference events happen only while a purpose is granted, so they count as consent.
        mentions = [self.event_name.lower(), *(str(k).lower() for k in self.conditions)]
        if self.event_name.startswith("preference.") or any(
            word in text for text in mentions for word in CONSENT_WORDS
        ):
            raise ValidationError(
                _("Rules cannot depend on consent: points are for taking part, not for saying yes.")
            )
        if self.event_name.startswith(("points.", "tier.", "reward.", "badge.")):
            raise ValidationError(
                {"event_name": _("Points cannot be earned for loyalty's own events.")}
            )
        if self.segment_key:
            from apps.loyalty.services.rules import segment_problem

            problem = segment_problem(self.segment_key)
            if problem:
                raise ValidationError({"segment_key": problem})


class Reward(TimeStampedModel):
    class Fulfilment(models.TextChoices):
        CODE_POOL = "code_pool", _("Codes from an uploaded pool")
        GENERATED = "generated", _("Generated voucher code")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    per_profile_limit = models.PositiveIntegerField(
        _("per customer at most"), null=True, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    minimum_tier = models.ForeignKey(
        Tier, verbose_name=_("minimum tier"), on_delete=models.PROTECT, null=True, blank=True
    )
    fulfilment = models.CharField(
        _("fulfilment"), max_length=20, choices=Fulfilment, default=Fulfilment.GENERATED
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.ImageField(_("image"), upload_to="rewards/", blank=True, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="rewards/", blank=True, editable=False)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["position", "cost"]

    def __str__(self) -> str:
        return self.title_de

    @property
    def is_sold_out(self) -> bool:
        return self.stock is not None and self.stock <= 0


class Redemption(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(
        Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    code = models.CharField(_("code"), max_length=100)
    debit = models.OneToOneField(
        LedgerEntry, verbose_name=_("debit"), on_delete=models.PROTECT, related_name="+"
    )
    refund = models.OneToOneField(
        LedgerEntry,
        verbose_name=_("refund"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reward_id} for {self.account_id}"


class RewardCode(models.Model):
    """One code of an uploaded pool, handed out once."""

    reward = models.ForeignKey(
        Reward, verbose_name=_("reward"), on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(_("code"), max_length=100)
    redemption = models.OneToOneField(
        Redemption,
        verbose_name=_("redemption"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pool_code",
    )

    class Meta:
        verbose_name = _("reward code")
        verbose_name_plural = _("reward codes")
        constraints = [
            models.UniqueConstraint(fields=["reward", "code"], name="loyalty_code_unique"),
        ]
        indexes = [
            models.Index(
                fields=["reward", "id"],
                condition=Q(redemption__isnull=True),
                name="loyalty_code_free_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Badge(TimeStampedModel):
    """A mark of something done, awarded once: a challenge completed, a tier reached, or a
    number of challenges completed."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    image = models.ImageField(_("image"), upload_to="badges/", blank=True, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="badges/", blank=True, editable=False)
    is_hidden = models.BooleanField(
        _("hidden until earned"), default=False, help_text=_("Not shown as locked on the shelf.")
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("awarded on reaching tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    challenges_completed = models.PositiveIntegerField(
        _("awarded after this many challenges"), null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(challenges_completed__isnull=True) | Q(challenges_completed__gte=1),
                name="loyalty_badge_count_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class BadgeAward(models.Model):
    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="badges"
    )
    badge = models.ForeignKey(
        Badge, verbose_name=_("badge"), on_delete=models.PROTECT, related_name="awards"
    )
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints = [
            models.UniqueConstraint(fields=["profile", "badge"], name="loyalty_badge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.badge_id} for {self.profile_id}"
