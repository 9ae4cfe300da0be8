from django import forms
from django.utils.translation import gettext_lazy as _

COLLECTION_POINT_PATTERN = r"^[a-z0-9][a-z0-9:._/-]{0,199}$"


class ConsentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", _("Yes")), ("withdraw", _("No"))],
        error_messages={"invalid_choice": _("Choose yes or no.")},
    )
    email = forms.EmailField(required=False, max_length=254)
    collection_point = forms.RegexField(
        regex=COLLECTION_POINT_PATTERN, required=False, max_length=200
    )
    next = forms.CharField(required=False, max_length=500)

    def clean_collection_point(self) -> str:
        return self.cleaned_data.get("collection_point") or "preference-center"
