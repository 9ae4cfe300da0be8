import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.events import ConsentGranted, ConsentWithdrawn
from apps.core.encrypted_fields import EncryptedTextField
from apps.core.models import TimeStampedModel
from apps.loyalty.events import PointsChanged, TierChanged
from apps.partners.origins import origin_normalise
from apps.preferences.events import PreferenceDeclared, PreferenceDeleted
from apps.profiles.events import ProfileErased

HS256_MIN_SECRET_LENGTH = 32


class Scope(models.TextChoices):
    """What a partner's token may do. A client is given some; a token asks for some of those."""

    PROFILES_READ = "profiles:read", _("Look customers up")
    PROFILES_WRITE = "profiles:write", _("Link the partner's own customers")
    PREFERENCES_READ = "preferences:read", _("Read declared preferences")
    CONSENTS_READ = "consents:read", _("Read consent states")
    EVENTS_WRITE = "events:write", _("Report events that earn points")
    LOYALTY_READ = "loyalty:read", _("Read balances, tiers and ledgers")
    LOYALTY_WRITE = "loyalty:write", _("Redeem rewards and cancel redemptions")
    CAMPAIGNS_READ = "campaigns:read", _("List live campaigns")
    SEGMENTS_READ = "segments:read", _("Read segments, members and recommendations")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook endpoints and deliveries")


class PartnerClient(TimeStampedModel):
    """A partner system: the brand's shop, CRM or e-mail tool."""

    class EmbedAlgorithm(models.TextChoices):
        EDDSA = "EdDSA", _("EdDSA (Ed25519): we keep only the partner's public key")
        HS256 = "HS256", _("HS256: a secret shared with the partner")

    name = models.CharField(_("name"), max_length=200)
    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("Names the partner in tokens (iss) and in its customers' ids. Never changes."),
    )
    contact_email = models.EmailField(_("technical contact"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The OAuth2 client the partner signs in with (client credentials); its secret is hashed.
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth2 client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner",
    )
    scopes = models.JSONField(
        _("scopes"), default=list, blank=True, help_text=_("What the partner's tokens may do.")
    )
    allowed_purposes = models.ManyToManyField(
        "consent.Purpose",
        verbose_name=_("allowed purposes"),
        blank=True,
        related_name="+",
        help_text=_(
            "Data under these purposes may reach the partner, and only for customers who "
            "granted both the purpose and sharing with partners."
        ),
    )
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=6000,
        validators=[MinValueValidator(1)],
    )
    # One algorithm per partner, pinned: a token may not choose how it is checked.
    embed_algorithm = models.CharField(
        _("embed token algorithm"),
        max_length=10,
        choices=EmbedAlgorithm,
        default=EmbedAlgorithm.EDDSA,
    )
    # Encrypted at rest: an HS256 secret lets anyone sign customers in as this partner.
    embed_key = EncryptedTextField(
        _("embed token key"),
        blank=True,
        help_text=_(
            "EdDSA: the partner's Ed25519 public key (PEM). HS256: a shared secret of at "
            "least 32 characters. Empty: the partner cannot send customers in signed in."
        ),
    )

    class Meta:
        verbose_name = _("partner client")
        verbose_name_plural = _("partner clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(Scope.values)
        if not isinstance(self.scopes, list) or unknown:
            raise ValidationError({"scopes": _("Choose scopes from the list.")})
        if not self.embed_key:
            return
        if self.embed_algorithm == self.EmbedAlgorithm.HS256:
            if len(self.embed_key) < HS256_MIN_SECRET_LENGTH:
                raise ValidationError(
                    {"embed_key": _("A shared secret needs at least 32 characters.")}
                )
            return
        try:
            public_key = load_pem_public_key(self.embed_key.strip().encode())
        except ValueError as error:
            raise ValidationError({"embed_key": _("This is not a PEM public key.")}) from error
        if not isinstance(public_key, Ed25519PublicKey):
            raise ValidationError({"embed_key": _("EdDSA needs an Ed25519 public key.")})


class EmbedTokenUse(models.Model):
    """A token id (jti) already used by a partner: the same token never signs in twice."""

    partner = models.ForeignKey(
        PartnerClient, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    jti = models.CharField(_("token id"), max_length=200)
    used_at = models.DateTimeField(_("used"), default=timezone.now)
    expires_at = models.DateTimeField(_("token expires"))

    class Meta:
        verbose_name = _("used embed token")
        verbose_name_plural = _("used embed tokens")
        constraints = [
            models.UniqueConstraint(fields=["partner", "jti"], name="partners_embed_token_once"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="partners_embed_expiry_idx")]

    def __str__(self) -> str:
        return self.jti


class EmbedOrigin(TimeStampedModel):
    """A site of the partner's brand that may show our campaigns in a frame."""

    partner = models.ForeignKey(
        PartnerClient,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="embed_origins",
    )
    origin = models.CharField(
        _("origin"),
        max_length=300,
        help_text=_(
            "The address of the site that embeds campaigns, e.g. https://shop.example "
            "(scheme, host and port if not the usual one; no path)."
        ),
    )

    class Meta:
        verbose_name = _("allowed embedding site")
        verbose_name_plural = _("allowed embedding sites")
        ordering = ["origin"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "origin"], name="partners_embed_origin_once"
            ),
        ]

    def __str__(self) -> str:
        return self.origin

    def clean(self) -> None:
        try:
            self.origin = origin_normalise(self.origin)
        except ValidationError as error:
            raise ValidationError({"origin": error.messages}) from error


class PartnerEventType(TimeStampedModel):
    """An event name partners may report (purchase, store visit, or one the brand adds).

    Earning rules listen to the same name, so a new type earns points once a rule exists."""

    key = models.SlugField(
        _("name"),
        max_length=60,
        unique=True,
        help_text=_("As partners send it and earning rules use it, e.g. purchase."),
    )
    label = models.CharField(_("label"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner event type")
        verbose_name_plural = _("partner event types")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class IdempotencyRecord(models.Model):
    """A partner's write under its Idempotency-Key: the replay answer, kept at least a day."""

    partner = models.ForeignKey(
        PartnerClient, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    request_hash = models.CharField(_("request fingerprint"), max_length=64)
    # Null while the first request is still being answered: a parallel duplicate gets 409.
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(_("response"), null=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partners_idempotency_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="partners_idem_created_idx")]

    def __str__(self) -> str:
        return self.key


class PartnerChange(models.Model):
    """One entry of a partner's change feed: something changed for one of its customers.

    It names the change, not the data: the partner reads the resource, where consent applies."""

    class Kind(models.TextChoices):
        """The webhook catalogue: every event partners may hear of, named by its definition,
        in the order the API documents them."""

        PREFERENCE_DECLARED = PreferenceDeclared.name, _("Preference declared")
        PREFERENCE_DELETED = PreferenceDeleted.name, _("Preference deleted")
        CONSENT_GRANTED = ConsentGranted.name, _("Consent granted")
        CONSENT_WITHDRAWN = ConsentWithdrawn.name, _("Consent withdrawn")
        TIER_CHANGED = TierChanged.name, _("Tier changed")
        POINTS_CHANGED = PointsChanged.name, _("Points changed")
        PROFILE_ERASED = ProfileErased.name, _("Profile erased")

    partner = models.ForeignKey(
        PartnerClient, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=40, choices=Kind)
    profile_public_id = models.UUIDField(_("customer"))
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("partner change")
        verbose_name_plural = _("partner changes")
        indexes = [models.Index(fields=["partner", "id"], name="partners_change_feed_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.profile_public_id}"


class WebhookEndpoint(TimeStampedModel):
    """A partner's URL that receives signed events (Standard Webhooks)."""

    partner = models.ForeignKey(
        PartnerClient,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100)
    # After a rotation both secrets sign for a day, so the partner can switch without gaps.
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["partner", "created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, with every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Given up")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    # webhook-id: the same for every attempt and replay of one message, so receivers dedupe.
    message_id = models.CharField(_("message id"), max_length=60)
    event_type = models.CharField(_("event type"), max_length=100)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="partners_delivery_due_idx"),
            models.Index(fields=["endpoint", "-id"], name="partners_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id}"
