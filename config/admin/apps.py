from django.contrib.admin.apps import AdminConfig


class ResonanzAdminConfig(AdminConfig):
    default_site = "config.admin.site.ResonanzAdminSite"

    def ready(self) -> None:
        super().ready()  # finds every app's admin.py
        from config.admin.wiring import admin_wire

        admin_wire()
        _name_sign_in_apps()


def _name_sign_in_apps() -> None:
    """django-axes' tables under a name staff read. django-otp's device pages are taken out:
    they show the secret behind every code; a lost phone is reset with
    `manage.py two_factor_disable <username>`."""
    from django.apps import apps
    from django.contrib import admin
    from django.utils.translation import gettext_lazy as _
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("axes").verbose_name = _("Sign-in attempts")
    for model in (TOTPDevice, StaticDevice):
        admin.site.unregister(model)
