"""The site's settings with French added: the one line a third language takes. Used by
tests/core/test_third_language.py, which runs checks under it in a subprocess."""

from config.settings import *  # noqa: F403

LANGUAGES = [*LANGUAGES, ("fr", "Français")]  # noqa: F405
