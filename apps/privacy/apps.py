from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "apps.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from apps.privacy import subscribers  # noqa: F401 - export mails, partner notices
