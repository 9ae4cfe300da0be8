from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data for a local run (`manage.py seed_demo`). The one app that may import every
    other app, because it calls each app's `demo.py`; no app imports it."""

    name = "apps.demo"
    verbose_name = "Demo"
