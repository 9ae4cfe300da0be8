from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "apps.consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        from apps.consent import subscribers  # noqa: F401 - registers the relayed handlers
