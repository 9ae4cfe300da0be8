from functools import lru_cache

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Manifest storage that remembers each resolved URL.

    The manifest never changes while a process runs, and resolving a name costs more than the
    rest of a small page's template tags together.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cached_url = lru_cache(maxsize=1024)(super().url)

    def url(self, name: str | None, force: bool = False) -> str:
        return self._cached_url(name, force)
