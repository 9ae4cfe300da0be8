from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureConfirmForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand: everything about me is deleted, and this cannot be undone."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )
    # The proof of the e-mailed link, for customers who have an address.
    r = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
