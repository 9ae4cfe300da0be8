from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the system check that production has its field encryption keys.
        from apps.core import encrypted_fields  # noqa: F401
