from django.db.models.fields.files import ImageFieldFile
from django.http import HttpRequest
from django.utils.html import format_html


class ReadOnlyAdminMixin:
    """For append-only records and customer data: staff may look, never add, edit or delete."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def image_preview(image: ImageFieldFile, *, width: int, height: int) -> str:
    """A stored image as a small picture on an admin page, or a dash when there is none."""
    if not image:
        return "—"
    return format_html('<img src="{}" width="{}" height="{}" alt="">', image.url, width, height)
