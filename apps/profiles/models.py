import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

DEFAULT_TIME_ZONE = "Europe/Berlin"


class ProfileQuerySet(models.QuerySet):
    def counted(self) -> "ProfileQuerySet":
        """The profiles that count: everyone but staff's test customers. Every reader that
        counts, ranks, segments or tells partners about customers starts here."""
        return self.filter(is_test=False)


def counted_profiles(path: str = "profile") -> Q:
    """The same rule for a row that points at a profile: `Model.objects.filter(
    counted_profiles("account__profile"))` keeps only rows of profiles that count."""
    return Q(**{f"{path}__is_test": False})


class Profile(TimeStampedModel):
    """The data subject: one person, anonymous until they identify themselves."""

    class Kind(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous")
        MEMBER = "member", _("Member")
        MERGED = "merged", _("Merged into a member")
        ERASED = "erased", _("Erased")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ANONYMOUS)
    locale = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # A merged profile stays as a tombstone: the evidence it holds (consent events, history)
    # keeps the profile that gave it, and reads of the member include it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_profiles",
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    # Sessions remember the generation they signed in with; "sign out everywhere" moves it on.
    session_generation = models.PositiveIntegerField(_("session generation"), default=0)
    # Set when the person's erasure begins: from then on nothing new is written for them. The
    # row stays as a tombstone that the evidence kept for proof and accounting points at.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # A staff user's test customer: plays in the preview like anyone, and is left out of every
    # figure, tally, segment, leaderboard and partner feed. `test_of` is the staff user it
    # belongs to; a reset detaches it (the row stays a test profile, so it keeps not counting).
    is_test = models.BooleanField(_("test customer"), default=False, editable=False)
    test_of = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("test customer of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="test_profile",
    )

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["kind", "created_at"], name="profiles_kind_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="merged", merged_into__isnull=False)
                | (~Q(kind="merged") & Q(merged_into__isnull=True)),
                name="profiles_tombstone_points_at_member",
            ),
            models.CheckConstraint(
                condition=Q(test_of__isnull=True) | Q(is_test=True),
                name="profiles_test_of_only_on_test",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def is_member(self) -> bool:
        return self.kind == self.Kind.MEMBER

    @property
    def is_merged(self) -> bool:
        return self.kind == self.Kind.MERGED

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def zone(self) -> ZoneInfo:
        """The customer's time zone: their days, weeks and months are counted in it."""
        try:
            return ZoneInfo(self.time_zone or DEFAULT_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIME_ZONE)


class Identifier(TimeStampedModel):
    """A way to recognise a person: an e-mail address, a phone number, a partner's customer id.

    Values are stored normalised, so one person cannot hold the same address twice in two
    spellings. E-mail addresses also keep a SHA-256 of that form for partner look-ups.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        PHONE = "phone", _("Phone number")
        EXTERNAL = "external", _("Partner customer id")

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # Whose id this is: the partner's key for customer ids, empty for e-mail and phone.
    namespace = models.CharField(_("issued by"), max_length=60, blank=True)
    value = models.CharField(_("value"), max_length=254)
    value_sha256 = models.CharField(_("SHA-256 of the value"), max_length=64)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "namespace", "value"], name="profiles_identifier_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "value_sha256"], name="profiles_ident_sha_idx"),
            models.Index(fields=["profile", "kind"], name="profiles_ident_profile_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}:{self.value}" if self.namespace else self.value


class SignInLink(models.Model):
    """A magic link that was sent. The link carries a signature of `public_id`, never stored;
    this row makes it single-use and remembers where to go afterwards."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    email = models.CharField(_("e-mail address"), max_length=254)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    next_path = models.CharField(_("go to afterwards"), max_length=500, blank=True)
    # SHA-256 of a secret kept in the asking browser's session.
    browser_nonce_hash = models.CharField(_("asking browser"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    profile = models.ForeignKey(
        Profile,
        verbose_name=_("signed in as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["created_at"], name="profiles_signinlink_age_idx")]

    def __str__(self) -> str:
        return str(self.public_id)
