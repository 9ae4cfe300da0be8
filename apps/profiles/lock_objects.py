from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError
from apps.profiles.models import Profile


def profile_lock(*, profile: Profile) -> Profile:
    """Serialise every change to one person's consent and declarations on their profile row,
    so a record and its history can never disagree, however requests interleave.

    A write that waited for a merge of this profile must not land on the tombstone, where the
    member would never see it: it is refused and the customer reloads.
    """
    locked = Profile.objects.select_for_update().filter(pk=profile.pk).get()
    if locked.is_merged:
        raise ApplicationError(_("You have just signed in on this device. Please reload the page."))
    return locked
