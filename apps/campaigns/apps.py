from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from apps.campaigns import (  # noqa: F401
            receivers,  # question changes touch their campaign
            subscribers,  # moves plays on a merge
        )
