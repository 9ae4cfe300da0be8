from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.preferences.models import Attribute


class PreferenceValueForm(forms.Form):
    """One field shaped by the attribute's type; the service validates the value again.

    An attribute that is not asked in the preference center offers only what the customer
    said (`declared`): they can take some of it back, not answer a question we never ask.
    """

    def __init__(self, *args, attribute: Attribute, declared: Any = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attribute = attribute
        self.fields["value"] = self._field_for(attribute, declared)

    @staticmethod
    def _field_for(attribute: Attribute, declared: Any) -> forms.Field:
        label = attribute.label
        choices = [(value.key, value.label) for value in attribute.values.all()]
        if not attribute.is_asked:
            said = declared if isinstance(declared, list) else [declared]
            choices = [(key, choice) for key, choice in choices if key in said]
        kind = attribute.kind
        if kind == Attribute.Kind.SINGLE_CHOICE:
            return forms.ChoiceField(
                label=label,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the offered answers.")},
            )
        if kind == Attribute.Kind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": _("Choose only from the offered answers."),
                    "required": _("Choose at least one of the offered answers."),
                },
            )
        if kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER):
            return forms.IntegerField(
                label=label,
                min_value=attribute.min_value,
                max_value=attribute.max_value,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        if kind == Attribute.Kind.DATE:
            return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))
        return forms.CharField(label=label, max_length=attribute.max_length, strip=True)

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]
