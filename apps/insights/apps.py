from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "apps.insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from apps.insights import subscribers  # noqa: F401 - answers are counted at completion
