from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalizationConfig(AppConfig):
    name = "apps.personalization"
    verbose_name = _("Personalization")

    def ready(self) -> None:
        from apps.loyalty.services.rules import segment_check_register
        from apps.personalization import subscribers  # noqa: F401 - withdrawals leave lists
        from apps.personalization.incentives import SegmentsForIncentives

        segment_check_register(SegmentsForIncentives())
