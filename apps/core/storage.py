import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
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


def _served_file(name: str) -> Path:
    """The file `{% static name %}` serves: the collected (hashed) copy where there is one,
    else the source the finders serve in development."""
    try:
        stored = getattr(staticfiles_storage, "stored_name", lambda name: name)(name)
        collected = Path(staticfiles_storage.path(stored))
    except (ValueError, NotImplementedError):
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"No static file {name!r}.")
    return Path(found)


@lru_cache(maxsize=64)
def _sha384(path: Path, modified_ns: int) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def static_integrity(name: str) -> str:
    """The Subresource Integrity value ("sha384-...") of a static file, for pages elsewhere
    that load it. Kept per process; a file changed in development is hashed again."""
    path = _served_file(name)
    return _sha384(path, path.stat().st_mtime_ns)
