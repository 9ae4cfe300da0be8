from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.profiles.models import Profile


def profile_lock(*, profile: Profile) -> Profile:
    """Serialise every change to one person's consent and declarations on their profile row,
    so a record and its history can never disagree, however requests interleave.

    A write that waited for a merge of this profile must not land on the tombstone, where the
    member would never see it: it is refused and the customer reloads. Nothing is written for
    a person whose erasure has begun.
    """
    locked = Profile.objects.select_for_update().filter(pk=profile.pk).get()
    if locked.is_merged:
        raise ApplicationError(_("You have just signed in on this device. Please reload the page."))
    if locked.is_erased:
        raise ApplicationError(_("This profile has been deleted at your request."))
    return locked
