from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    verbose_name = _("Profiles")

    def ready(self) -> None:
        from apps.profiles import subscribers  # noqa: F401 - sends the sign-in e-mail
