from django import forms
from django.utils.translation import gettext_lazy as _


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your display name"),
        max_length=24,
        error_messages={
            "required": _("Please choose a display name."),
            "max_length": _("A display name has 3 to 24 letters, digits, spaces, dots or dashes."),
        },
    )
