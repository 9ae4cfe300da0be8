from django.contrib.admin.apps import AdminConfig


class ResonanzAdminConfig(AdminConfig):
    default_site = "config.admin.site.ResonanzAdminSite"

    def ready(self) -> None:
        super().ready()  # finds every app's admin.py
        from config.admin.wiring import admin_wire

        admin_wire()
