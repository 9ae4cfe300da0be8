import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class ExportStorage(FileSystemStorage):
    """Data exports, kept apart from MEDIA_ROOT (which the demo and the reverse proxy serve to
    anyone): the only way to a file is a view that checks the signed link. The folder is read
    from settings on every use, so it follows the setting wherever it is changed."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVACY_EXPORT_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Exports have no public URL; they are served by a signed link.")


def export_storage() -> ExportStorage:
    return ExportStorage()
