from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from apps.audit.admin_mixins import AccessLoggedAdminMixin, ConfigAuditedAdminMixin
from apps.core.admin_mixins import inline_save_through_services
from apps.core.encrypted_fields import secret_fingerprint
from apps.core.exceptions import ApplicationError
from apps.partners.models import (
    EmbedOrigin,
    PartnerChange,
    PartnerClient,
    Scope,
    WebhookDelivery,
    WebhookEndpoint,
)
from apps.partners.origins import origin_normalise
from apps.partners.services import (
    embed_origin_delete,
    embed_origin_save,
    embed_origins_partner_changed,
    partner_secret_reset,
)
from apps.partners.services.webhook_delivery import webhook_delivery_replay
from apps.partners.services.webhook_endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_limit_check,
    webhook_endpoint_update,
    webhook_secret_rotate,
    webhook_url_validate,
)
from apps.profiles.models import Profile


class WriteOnlyTextarea(forms.Textarea):
    """Never puts a value into the page: neither the stored one nor one just typed."""

    def format_value(self, value):
        return None


class PartnerClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Write-only: a new value replaces the stored one, an empty field keeps it.
    embed_key = forms.CharField(
        label=_("New embed token key"),
        required=False,
        widget=WriteOnlyTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "EdDSA: the partner's Ed25519 public key (PEM). HS256: a shared secret of at least "
            "32 characters. A new value replaces the stored one; leave empty to keep it. The "
            "stored key is never shown."
        ),
    )
    embed_key_remove = forms.BooleanField(
        label=_("remove the embed token key"),
        required=False,
        help_text=_("The partner can then no longer send customers in signed in."),
    )

    class Meta:
        model = PartnerClient
        fields = [
            "name",
            "key",
            "contact_email",
            "is_active",
            "scopes",
            "allowed_purposes",
            "requests_per_minute",
            "embed_algorithm",
            "embed_key",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Kept out of the form's initial data, so nothing can render it and an empty field
        # does not count as a change.
        self.initial.pop("embed_key", None)

    def clean_embed_key(self) -> str:
        return self.cleaned_data["embed_key"] or self.instance.embed_key

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if cleaned_data.get("embed_key_remove"):
            if self.data.get(self.add_prefix("embed_key"), "").strip():
                self.add_error(
                    "embed_key_remove", _("Either enter a new key or remove it, not both.")
                )
            else:
                cleaned_data["embed_key"] = ""
        return cleaned_data


class EmbedOriginForm(forms.ModelForm):
    class Meta:
        model = EmbedOrigin
        fields = ["origin"]

    def clean_origin(self) -> str:
        # Normalised before the formset compares rows, so "HTTPS://Shop.example/" and
        # "https://shop.example" are refused as the same site.
        return origin_normalise(self.cleaned_data["origin"])


class EmbedOriginInline(admin.TabularInline):
    model = EmbedOrigin
    form = EmbedOriginForm
    extra = 1
    verbose_name = _("allowed embedding site")
    verbose_name_plural = _("Sites that may embed campaigns")


@admin.register(PartnerClient)
class PartnerClientAdmin(ConfigAuditedAdminMixin, admin.ModelAdmin):
    form = PartnerClientForm
    inlines = [EmbedOriginInline]
    list_display = ["name", "key", "embed_algorithm", "is_active", "created_at"]
    list_filter = ["is_active", "embed_algorithm"]
    search_fields = ["name", "key"]
    filter_horizontal = ["allowed_purposes"]
    actions = ["issue_new_secret"]
    fieldsets = [
        (None, {"fields": ["name", "key", "contact_email", "is_active"]}),
        (
            _("API access"),
            {"fields": ["client_id", "scopes", "allowed_purposes", "requests_per_minute"]},
        ),
        (
            _("Embedded sign-in"),
            {"fields": ["embed_algorithm", "embed_key_status", "embed_key", "embed_key_remove"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key names the partner's customer ids; changing it would orphan them.
        return (
            ["key", "client_id", "embed_key_status"] if obj else ["client_id", "embed_key_status"]
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return self.fieldsets
        # Who may only look sees whether a key is set, never the key: the admin would show
        # a read-only field's stored value.
        hidden = {"embed_key", "embed_key_remove"}
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for title, options in self.fieldsets
        ]

    @admin.display(description=_("embed token key"))
    def embed_key_status(self, partner: PartnerClient) -> str:
        if not partner.embed_key:
            return str(_("Not set"))
        return _("Set (fingerprint %(fingerprint)s)") % {
            "fingerprint": secret_fingerprint(partner.embed_key)
        }

    @admin.display(description=_("OAuth2 client id"))
    def client_id(self, partner: PartnerClient) -> str:
        return partner.application.client_id if partner.application_id else ""

    def config_state(self, partner: PartnerClient) -> dict:
        state = super().config_state(partner)
        if partner.pk is not None:
            state["embed_origins"] = sorted(
                EmbedOrigin.objects.filter(partner=partner).values_list("origin", flat=True)
            )
        return state

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        embed_origins_partner_changed()
        if obj.application_id is None:
            self._show_secret(request, obj, partner_secret_reset(partner=obj))

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not EmbedOrigin:
            super().save_formset(request, form, formset, change)
            return
        inline_save_through_services(
            formset, save=embed_origin_save, delete=embed_origin_delete, name="embed_origin"
        )

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        embed_origins_partner_changed()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        embed_origins_partner_changed()

    @admin.action(description=_("Issue a new client secret (the old one stops working)"))
    def issue_new_secret(self, request, queryset) -> None:
        for partner in queryset:
            self._show_secret(request, partner, partner_secret_reset(partner=partner))

    def _show_secret(self, request, partner: PartnerClient, secret: str) -> None:
        messages.warning(
            request,
            _(
                "%(partner)s: client id %(client_id)s, client secret %(secret)s. Copy the "
                "secret now: it is stored only hashed and cannot be shown again."
            )
            % {
                "partner": partner.name,
                "client_id": partner.application.client_id,
                "secret": secret,
            },
        )


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=PartnerChange.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["partner", "url", "event_types", "description", "is_active"]

    def clean_url(self) -> str:
        # The same checks as the API: https and public addresses only (unless the demo).
        try:
            return webhook_url_validate(self.cleaned_data["url"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["url"]) from None

    def clean(self) -> dict:
        cleaned_data = super().clean()
        partner = cleaned_data.get("partner")
        # Refused here, the admin shows the form again; raised in save_model it would be a 500.
        if self.instance._state.adding and partner is not None:
            try:
                webhook_endpoint_limit_check(partner=partner)
            except ApplicationError as error:
                raise forms.ValidationError(error.message) from None
        return cleaned_data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ConfigAuditedAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "partner", "is_active", "failing_since", "disabled_reason", "created_at"]
    list_filter = ["is_active", "partner"]
    search_fields = ["url", "description", "partner__name", "partner__key"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    readonly_fields = [
        "public_id",
        "disabled_reason",
        "failing_since",
        "previous_secret_until",
        "created_at",
        "updated_at",
    ]
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        # An endpoint stays with its partner: its deliveries carry that partner's data.
        return [*self.readonly_fields, "partner"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            webhook_endpoint_update(
                endpoint=obj,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
                is_active=data["is_active"],
            )
            return
        endpoint = webhook_endpoint_create(
            partner=data["partner"],
            url=data["url"],
            event_types=data["event_types"],
            description=data["description"],
        )
        # The admin goes on with `obj` (its pk names the redirect).
        obj.pk, obj.public_id, obj.secret = endpoint.pk, endpoint.public_id, endpoint.secret
        obj._state.adding = False
        self._show_webhook_secret(request, endpoint)

    @admin.action(description=_("Rotate the signing secret (the old one signs 24 more hours)"))
    def rotate_secret(self, request, queryset) -> None:
        for endpoint in queryset:
            self._show_webhook_secret(request, webhook_secret_rotate(endpoint=endpoint))

    def _show_webhook_secret(self, request, endpoint: WebhookEndpoint) -> None:
        messages.warning(
            request,
            _("%(url)s: signing secret %(secret)s. Pass it to the partner now.")
            % {"url": endpoint.url, "secret": endpoint.secret},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """A read-only log; replay sends the same message (same webhook-id) once more."""

    access_log_data_category = "webhook_payload"
    # A delivery names its customer only inside the payload (data.profile, a public id).
    access_log_profile_attribute = ""

    list_display = [
        "event_type",
        "endpoint",
        "partner",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event_type", "endpoint__partner"]
    search_fields = ["message_id", "endpoint__url"]
    list_select_related = ["endpoint__partner"]
    date_hierarchy = "created_at"
    actions = ["replay"]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The list shows no payload, so it reads no one's data: skip the mixin's list logging.
        return super(AccessLoggedAdminMixin, self).changelist_view(request, extra_context)

    def _log(self, request: HttpRequest, objects: list[WebhookDelivery], reason: str = "") -> None:
        public_ids = {
            str(profile_id)
            for delivery in objects
            if isinstance(delivery.payload, dict)
            and isinstance(delivery.payload.get("data"), dict)
            and (profile_id := delivery.payload["data"].get("profile"))
        }
        # The access log points at profile rows: a profile deleted since gets none.
        super()._log(request, list(Profile.objects.filter(public_id__in=public_ids)), reason)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_replay_permission(self, request) -> bool:
        return request.user.has_perm("partners.change_webhookendpoint")

    @admin.display(description=_("partner"), ordering="endpoint__partner__name")
    def partner(self, delivery: WebhookDelivery) -> str:
        return delivery.endpoint.partner.name

    @admin.action(description=_("Replay (send the same message again)"), permissions=["replay"])
    def replay(self, request, queryset) -> None:
        replayed = 0
        for delivery in queryset.select_related("endpoint__partner"):
            try:
                webhook_delivery_replay(delivery=delivery)
            except ApplicationError as error:
                messages.error(request, f"{delivery.message_id}: {error.message}")
            else:
                replayed += 1
        if replayed:
            messages.success(request, _("%(count)d messages queued again.") % {"count": replayed})
