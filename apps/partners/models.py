from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

HS256_MIN_SECRET_LENGTH = 32


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
    # One algorithm per partner, pinned: a token may not choose how it is checked.
    embed_algorithm = models.CharField(
        _("embed token algorithm"),
        max_length=10,
        choices=EmbedAlgorithm,
        default=EmbedAlgorithm.EDDSA,
    )
    embed_key = models.TextField(
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
