from collections.abc import Callable

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


def inline_save_through_services(
    formset, *, save: Callable[..., object], delete: Callable[..., object], name: str
) -> None:
    """Save an admin inline's rows through the app's services (`save(<name>=row)`,
    `delete(<name>=row)`), so what the services do besides writing (touching the parent,
    renewing cached versions) happens for admin edits too."""
    instances = formset.save(commit=False)
    for removed in formset.deleted_objects:
        delete(**{name: removed})
    for instance in instances:
        save(**{name: instance})
    formset.save_m2m()
