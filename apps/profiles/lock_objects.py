from apps.profiles.models import Profile


def profile_lock(*, profile: Profile) -> None:
    """Serialise every change to one person's consent and declarations on their profile row,
    so a record and its history can never disagree, however requests interleave."""
    Profile.objects.select_for_update().filter(pk=profile.pk).get()
