from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For append-only records and customer data: staff may look, never add, edit or delete."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
