from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from apps.core.events import publish
from apps.core.exceptions import ApplicationError
from apps.profiles.events import (
    ProfileCreated,
    ProfileIdentified,
    ProfileMerged,
    ProfileSignedIn,
    ProfileSignedOutEverywhere,
    ProfileSignInRequested,
)
from apps.profiles.identifiers import email_normalise, sha256_hex
from apps.profiles.models import Identifier, Profile, SignInLink

LAST_SEEN_RESOLUTION = timedelta(minutes=15)
SIGN_IN_SALT = "resonanz.profiles.sign-in-link"


@transaction.atomic
def profile_create_anonymous(*, locale: str = settings.LANGUAGE_CODE) -> Profile:
    supported = {code for code, _name in settings.LANGUAGES}
    profile = Profile.objects.create(
        locale=locale if locale in supported else settings.LANGUAGE_CODE,
        last_seen_at=timezone.now(),
    )
    publish(ProfileCreated(profile=str(profile.public_id), kind=profile.kind))
    return profile


def profile_ensure(*, profile: Profile | None, locale: str) -> Profile:
    """The visitor's profile, created on the first write they make.

    Services call this only when the visitor does something worth keeping, so crawlers and
    plain page views never create rows. The view remembers the result in the session once the
    write has succeeded (`apps.profiles.sessions.session_remember_profile`).
    """
    return profile if profile else profile_create_anonymous(locale=locale)


def profile_mark_seen(*, profile: Profile) -> None:
    """Refresh last_seen_at, at most once per LAST_SEEN_RESOLUTION to spare the write."""
    now = timezone.now()
    if profile.last_seen_at and now - profile.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    Profile.objects.filter(pk=profile.pk).update(last_seen_at=now)
    profile.last_seen_at = now


@transaction.atomic
def profile_merge(*, source: Profile, target: Profile) -> Profile:
    """Move everything `source` holds to `target`, in this one transaction.

    Each app moves its own part in a `profile.merged` subscriber. The source stays as a
    tombstone pointing at the target. Merging again is a no-op, and both rows are locked in
    one order, so two devices merging at the same moment queue rather than deadlock.
    """
    if source.pk == target.pk:
        return target
    locked = Profile.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    rows = {row.pk: row for row in locked.order_by("pk")}
    source, target = rows[source.pk], rows[target.pk]
    if source.merged_into_id == target.pk:
        return target
    if source.is_merged or target.is_merged:
        raise ApplicationError(_("This profile was already merged into another one."))
    if source.kind != Profile.Kind.ANONYMOUS:
        # A member is a person of their own: merging two needs a human decision.
        raise ApplicationError(_("Only an anonymous profile can be merged into a member."))
    Identifier.objects.filter(profile=source).update(profile=target)
    Profile.objects.filter(merged_into=source).update(merged_into=target)
    source.kind, source.merged_into, source.merged_at = Profile.Kind.MERGED, target, timezone.now()
    source.save(update_fields=["kind", "merged_into", "merged_at", "updated_at"])
    # Subscribers find the source already a tombstone, so reads of the member include it.
    publish(ProfileMerged(profile=str(target.public_id), merged=str(source.public_id)))
    return target


def _identifier_locked(kind: str, namespace: str, value: str) -> Identifier | None:
    return (
        Identifier.objects.select_for_update()
        .select_related("profile")
        .filter(kind=kind, namespace=namespace, value=value)
        .first()
    )


@transaction.atomic
def profile_sign_in_as(
    *, kind: str, value: str, namespace: str = "", current: Profile | None, locale: str
) -> Profile:
    """The member a verified identifier belongs to, for a browser whose profile is `current`.

    An identifier nobody holds yet makes the browser's anonymous profile a member (or a new
    member, if the browser has none). An identifier someone holds signs in as them, and the
    browser's anonymous profile merges into theirs. If another device claims the same new
    identifier at the same moment, the unique constraint picks one and the other merges.
    """
    now = timezone.now()
    # Lock the browser's profile first and read it afresh: another tab may have just made it
    # a member, or merged it, and only a profile still anonymous may become someone else.
    if current is not None:
        current = Profile.objects.select_for_update().filter(pk=current.pk).first()
    anonymous = current if current is not None and current.kind == Profile.Kind.ANONYMOUS else None
    identifier = _identifier_locked(kind, namespace, value)
    if identifier is None:
        try:
            with transaction.atomic():
                member = anonymous or Profile.objects.create(
                    kind=Profile.Kind.MEMBER, locale=locale, last_seen_at=now
                )
                identifier = Identifier.objects.create(
                    profile=member,
                    kind=kind,
                    namespace=namespace,
                    value=value,
                    value_sha256=sha256_hex(value),
                    verified_at=now,
                )
                if anonymous is not None:
                    Profile.objects.filter(pk=member.pk).update(kind=Profile.Kind.MEMBER)
                    member.kind = Profile.Kind.MEMBER
        except IntegrityError:
            identifier = _identifier_locked(kind, namespace, value)
            if identifier is None:
                raise
        else:
            publish(ProfileIdentified(profile=str(member.public_id), identifier=kind))
            return member
    member = identifier.profile
    if member.is_merged:
        member = member.merged_into
    if anonymous is not None:
        member = profile_merge(source=anonymous, target=member)
    if identifier.verified_at is None:
        Identifier.objects.filter(pk=identifier.pk).update(verified_at=now)
    return member


def sign_in_token(*, link: SignInLink) -> str:
    return signing.dumps(str(link.public_id), salt=SIGN_IN_SALT)


@transaction.atomic
def sign_in_link_request(
    *, email: str, language: str, next_path: str = "", browser_nonce: str = ""
) -> SignInLink:
    """Record a magic link for an address; a relayed subscriber sends it.

    The same happens whether or not the address belongs to someone: following the link is
    what signs in or makes a new member, so this step tells nobody who is registered.
    `browser_nonce` is a secret of the browser that asked (kept in its session): only there
    does following the link bring the browser's anonymous plays along.
    """
    address = email_normalise(email)
    now = timezone.now()
    link = SignInLink.objects.create(
        email=address,
        language=language,
        next_path=next_path[:500],
        browser_nonce_hash=sha256_hex(browser_nonce) if browser_nonce else "",
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE),
    )
    publish(ProfileSignInRequested(link=str(link.public_id), language=language))
    return link


def sign_in_link_check(*, token: str) -> SignInLink:
    """The unused, unexpired link a token stands for; changes nothing."""
    try:
        public_id = signing.loads(token, salt=SIGN_IN_SALT, max_age=settings.SIGN_IN_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ApplicationError(
            _("This sign-in link has expired. Please ask for a new one.")
        ) from error
    except signing.BadSignature as error:
        raise ApplicationError(_("This sign-in link is not valid.")) from error
    link = SignInLink.objects.filter(public_id=public_id).first()
    if link is None:
        raise ApplicationError(_("This sign-in link is not valid."))
    if link.used_at is not None:
        raise ApplicationError(_("This sign-in link was already used. Please ask for a new one."))
    if link.expires_at <= timezone.now():
        raise ApplicationError(_("This sign-in link has expired. Please ask for a new one."))
    return link


@transaction.atomic
def sign_in_link_complete(
    *, token: str, current: Profile | None, browser_nonce: str = ""
) -> tuple[Profile, SignInLink]:
    """Use a magic link once: sign in as the address's member.

    The browser's anonymous plays come along only in the browser that asked for the link, so
    a link someone else sends a victim cannot pull the victim's data into their account.
    """
    link = sign_in_link_check(token=token)
    link = SignInLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise ApplicationError(_("This sign-in link was already used. Please ask for a new one."))
    same_browser = bool(browser_nonce) and constant_time_compare(
        sha256_hex(browser_nonce), link.browser_nonce_hash
    )
    member = profile_sign_in_as(
        kind=Identifier.Kind.EMAIL,
        value=link.email,
        current=current if same_browser else None,
        locale=link.language,
    )
    link.used_at, link.profile = timezone.now(), member
    link.save(update_fields=["used_at", "profile"])
    publish(ProfileSignedIn(profile=str(member.public_id)))
    return member, link


@transaction.atomic
def profile_sign_out_everywhere(*, profile: Profile) -> Profile:
    """End every session of this member: each remembers an older generation from now on."""
    Profile.objects.filter(pk=profile.pk).update(session_generation=F("session_generation") + 1)
    profile.refresh_from_db(fields=["session_generation"])
    publish(ProfileSignedOutEverywhere(profile=str(profile.public_id)))
    return profile


@transaction.atomic
def profile_erasure_begin(*, profile: Profile) -> Profile:
    """The moment a person's erasure starts: every session of theirs ends, and nothing new is
    written for them from here on (`profile_lock` refuses it). Running it again changes
    nothing, so a retried erasure can begin again."""
    locked = Profile.objects.select_for_update().get(pk=profile.pk)
    if locked.is_merged:
        raise ApplicationError(_("This profile was merged into another one."))
    if locked.erased_at is None:
        locked.erased_at = timezone.now()
        locked.session_generation += 1
        locked.save(update_fields=["erased_at", "session_generation", "updated_at"])
    return locked


def sign_in_links_forget_used(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Links hold an address; once spent or expired they are kept only a day, for support."""
    deleted, _kinds = SignInLink.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def profile_test_for(*, user, locale: str = settings.LANGUAGE_CODE) -> Profile:
    """The staff user's own test customer, made on first use.

    It is a profile of its own, never the customer profile the staff member's browser may
    have, and never remembered in a session: it is only ever found through the staff login.
    No `profile.created` is published: a test customer is nobody new, and nothing downstream
    (welcome points, partners) should react to it.
    """
    profile = Profile.objects.filter(test_of=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return Profile.objects.create(
                is_test=True, test_of=user, locale=locale, last_seen_at=timezone.now()
            )
    except IntegrityError:
        # Two preview requests of a new staff user at the same moment: the first one made it.
        return Profile.objects.get(test_of=user)


@transaction.atomic
def profile_test_reset(*, user) -> Profile | None:
    """Start over with a fresh test customer: the old one is let go of (its plays, points,
    answers and consents stay a test profile's, counted nowhere) and the next preview makes a
    new one with nothing played. Returns the profile let go of, or None if there was none."""
    profile = Profile.objects.select_for_update().filter(test_of=user).first()
    if profile is None:
        return None
    profile.test_of = None
    profile.session_generation += 1
    profile.save(update_fields=["test_of", "session_generation", "updated_at"])
    return profile
