import json

from django.contrib import admin, messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.models import OutboxEvent
from apps.core.services import outbox_events_replay


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            (OutboxEvent.State.PENDING, _("Waiting")),
            (OutboxEvent.State.PUBLISHED, _("Relayed")),
            (OutboxEvent.State.DEAD, _("Dead letters")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]):
        if self.value() == OutboxEvent.State.PENDING:
            return queryset.pending()
        if self.value() == OutboxEvent.State.PUBLISHED:
            return queryset.filter(published_at__isnull=False)
        if self.value() == OutboxEvent.State.DEAD:
            return queryset.dead()
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The event outbox, read-only: the list shows no payloads; dead letters can be replayed.

    A payload may hold an address or a partner's properties, so the event's page shows it only
    where every look is written to the access log: the composition root registers a subclass
    that does (`config/admin/outbox.py`), since core may not import the audit app."""

    payload_visible = False

    list_display = ["id", "name", "created_at", "relay_attempts", "state", "last_error_short"]
    list_filter = [OutboxStateFilter, "name"]
    search_fields = ["name"]
    fields = [
        "name",
        "created_at",
        "state",
        "published_at",
        "relay_attempts",
        "next_attempt_at",
        "dead_at",
        "last_error",
        "payload_shown",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"
    actions = ["replay"]

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("state"))
    def state(self, event: OutboxEvent) -> str:
        return OutboxEvent.State(event.state).label

    @admin.display(description=_("last error"))
    def last_error_short(self, event: OutboxEvent) -> str:
        return truncatechars(event.last_error, 80)

    @admin.display(description=_("payload"))
    def payload_shown(self, event: OutboxEvent) -> str:
        if not self.payload_visible:
            return _("Not shown: reads of it would not be logged.")
        text = json.dumps(event.payload, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
        return format_html("<pre>{}</pre>", text)

    def replayed_record(self, request: HttpRequest, events: list[OutboxEvent]) -> None:
        for event in events:
            self.log_change(request, event, _("Replayed the dead letter."))

    @admin.action(description=_("Replay (relay the dead letters again)"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        replayed = outbox_events_replay(events=queryset)
        self.replayed_record(request, replayed)
        skipped = queryset.count() - len(replayed)
        if replayed:
            messages.success(
                request, _("%(count)d events wait to be relayed again.") % {"count": len(replayed)}
            )
        if skipped:
            messages.warning(
                request,
                _("%(count)d events were left alone: only dead letters are replayed.")
                % {"count": skipped},
            )
