from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "apps.partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from apps.partners.services import (  # noqa: F401
            changes,  # fills the partners' change feed
            webhook_delivery,  # sends events to partners' endpoints
        )
