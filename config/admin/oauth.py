"""German names for django-oauth-toolkit's tables. The partner API's OAuth tables are
machinery (System, for superusers only), yet German staff read German there too; the
package has no German catalogue (ours carries its marked names) and leaves a few names
unmarked, which get theirs here."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

MODEL_NAMES = {
    "application": (_("OAuth application"), _("OAuth applications")),
    "accesstoken": (_("access token"), _("access tokens")),
    "grant": (_("OAuth grant"), _("OAuth grants")),
    "idtoken": (_("ID token"), _("id tokens")),
    "refreshtoken": (_("refresh token"), _("refresh tokens")),
}


def oauth_models_name() -> None:
    for model in apps.get_app_config("oauth2_provider").get_models():
        names = MODEL_NAMES.get(model._meta.model_name)
        if names:
            model._meta.verbose_name, model._meta.verbose_name_plural = names


def oauth_admin_names(admin_class: type[admin.ModelAdmin]) -> dict:
    """Columns and actions of an OAuth admin class under translated names."""
    names = {}
    if hasattr(admin_class, "revoke_tokens"):

        @admin.action(description=_("Revoke the selected tokens"))
        def revoke_tokens(self, request, queryset):
            return admin_class.revoke_tokens(self, request, queryset)

        names["revoke_tokens"] = revoke_tokens
    if hasattr(admin_class, "masked_token"):

        @admin.display(description=_("token"))
        def masked_token(self, obj):
            return admin_class.masked_token(self, obj)

        names["masked_token"] = masked_token
    if hasattr(admin_class, "masked_code"):

        @admin.display(description=_("code"))
        def masked_code(self, obj):
            return admin_class.masked_code(self, obj)

        names["masked_code"] = masked_code
    return names
