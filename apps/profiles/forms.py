from django import forms
from django.utils.translation import gettext_lazy as _

from apps.profiles.identifiers import EMAIL_MAX_LENGTH


class SignInForm(forms.Form):
    email = forms.CharField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Please enter your e-mail address."),
            "max_length": _("Please enter a valid e-mail address."),
        },
    )
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
