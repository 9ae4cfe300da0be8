from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "apps.partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from apps.partners import changes  # noqa: F401 - fills the partners' change feed
        from apps.partners.webhooks import (
            delivery,  # noqa: F401 - sends events to partners' endpoints
        )
