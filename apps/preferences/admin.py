from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields

from apps.audit.admin_mixins import AccessLoggedAdminMixin
from apps.core.admin_mixins import ReadOnlyAdminMixin, inline_save_through_services
from apps.preferences.models import Attribute, AttributeValue, Declaration, DeclarationHistory
from apps.preferences.selectors import attribute_has_declarations
from apps.preferences.services import (
    attribute_delete,
    attribute_save,
    attribute_value_delete,
    attribute_value_save,
)


def _refuse_reshaping_answered(clean):
    """Turn the service's refusal into a form error instead of a failed save."""

    def checked_clean(form):
        cleaned = clean(form)
        attribute = form.instance
        if attribute.pk and attribute_has_declarations(attribute_id=attribute.pk):
            stored = Attribute.objects.get(pk=attribute.pk)
            if (cleaned.get("kind"), getattr(cleaned.get("purpose"), "pk", None)) != (
                stored.kind,
                stored.purpose_id,
            ):
                raise forms.ValidationError(
                    _(
                        "Customers have answered this already: its type and purpose stay as they are."
                    )
                )
        return cleaned

    return checked_clean


class AttributeValueInline(TranslationTabularInline):
    model = AttributeValue
    fields = ["key", "label", "position"]
    extra = 1


@admin.register(Attribute)
class AttributeAdmin(TabbedTranslationAdmin):
    list_display = [
        "key",
        "label",
        "kind",
        "topic",
        "purpose",
        "is_special_category",
        "freshness_days",
        "is_active",
    ]
    list_filter = ["kind", "topic", "purpose", "is_special_category", "is_active", "is_asked"]
    list_select_related = ["purpose__current_version"]
    search_fields = ["key", *get_translation_fields("label")]
    autocomplete_fields = ["purpose"]
    inlines = [AttributeValueInline]

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("app_label") == "campaigns":
            # The campaign builder maps answers only to what a quiz may ask.
            queryset = queryset.filter(is_asked=True)
        return queryset, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Attribute, form, change: bool) -> None:
        attribute_save(attribute=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        inline_save_through_services(
            formset, save=attribute_value_save, delete=attribute_value_delete, name="value"
        )

    def delete_model(self, request: HttpRequest, obj: Attribute) -> None:
        attribute_delete(attribute=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for attribute in queryset:
            attribute_delete(attribute=attribute)

    def get_form(self, request: HttpRequest, obj: Attribute | None = None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.clean = _refuse_reshaping_answered(form.clean)
        return form


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "declarations"
    list_display = ["profile", "attribute", "value", "source", "declared_at", "confirmed_at"]
    list_filter = ["source", "attribute__purpose", "attribute"]
    list_select_related = ["profile", "attribute"]
    search_fields = ["=profile__public_id"]


@admin.register(DeclarationHistory)
class DeclarationHistoryAdmin(ReadOnlyAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    access_log_data_category = "declaration_history"
    list_display = ["recorded_at", "profile", "attribute", "action", "value", "source"]
    list_filter = ["action", "source", "attribute"]
    list_select_related = ["profile", "attribute"]
    search_fields = ["=profile__public_id"]
