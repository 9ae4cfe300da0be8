"""Retention: declared preferences and quiz answers go once their purpose was withdrawn long
enough ago, or once they outlived their retention. Deleted in batches, so a sweep over a
million profiles never holds a long lock; a run records counts only."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.campaigns.models import Answer
from apps.consent.models import Purpose
from apps.consent.selectors import consent_withdrawn_exists
from apps.preferences.models import Declaration, DeclarationHistory
from apps.preferences.selectors import declaration_list_under_purpose
from apps.privacy.models import DEFAULT_DAYS_AFTER_WITHDRAWAL, RetentionRule, RetentionRun

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Retention:
    purpose: Purpose
    data_kind: str
    days_after_withdrawal: int
    max_age_days: int

    def withdrawn_before(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days_after_withdrawal)

    def older_than(self, now: datetime) -> datetime:
        return now - timedelta(days=self.max_age_days)


def retention_effective() -> list[Retention]:
    """Every (purpose, kind of data) with the periods that apply: its rule, else the
    purpose's retention and the default grace after a withdrawal."""
    rules = {(r.purpose_id, r.data_kind): r for r in RetentionRule.objects.all()}
    effective = []
    for purpose in Purpose.objects.order_by("position", "key"):
        for data_kind in RetentionRule.DataKind.values:
            rule = rules.get((purpose.pk, data_kind))
            effective.append(
                Retention(
                    purpose=purpose,
                    data_kind=data_kind,
                    days_after_withdrawal=(
                        rule.days_after_withdrawal if rule else DEFAULT_DAYS_AFTER_WITHDRAWAL
                    ),
                    max_age_days=(
                        rule.max_age_days
                        if rule and rule.max_age_days is not None
                        else purpose.retention_days
                    ),
                )
            )
    return effective


def _withdrawn(retention: Retention, now: datetime, *, profile_ref: str) -> Exists:
    return consent_withdrawn_exists(
        profile_ref=profile_ref, purpose=retention.purpose, before=retention.withdrawn_before(now)
    )


def declarations_due(retention: Retention, now: datetime) -> QuerySet[Declaration]:
    return declaration_list_under_purpose(purpose=retention.purpose).filter(
        _withdrawn(retention, now, profile_ref="profile_id")
        | Q(confirmed_at__lt=retention.older_than(now))
    )


def declaration_history_due(retention: Retention, now: datetime) -> QuerySet[DeclarationHistory]:
    """The earlier values too: history would otherwise keep what the declaration no longer
    says."""
    return DeclarationHistory.objects.filter(attribute__purpose=retention.purpose).filter(
        _withdrawn(retention, now, profile_ref="profile_id")
        | Q(recorded_at__lt=retention.older_than(now))
    )


def answers_due(retention: Retention, now: datetime) -> QuerySet[Answer]:
    """Answers that told us something under this purpose: the question's attribute or a
    chosen option's. Answers that set nothing (trivia, polls) belong to the game, not to a
    purpose, and stay until the customer is erased."""
    chose_option_of_purpose = Exists(
        Answer.options.through.objects.filter(
            answer_id=OuterRef("pk"), option__attribute__purpose=retention.purpose
        )
    )
    return Answer.objects.filter(
        Q(question__attribute__purpose=retention.purpose) | chose_option_of_purpose
    ).filter(
        _withdrawn(retention, now, profile_ref="participation__profile_id")
        | Q(answered_at__lt=retention.older_than(now))
    )


def _delete_in_batches(queryset: QuerySet) -> int:
    removed = 0
    model = queryset.model
    while ids := list(queryset.values_list("pk", flat=True)[:BATCH_SIZE]):
        with transaction.atomic():
            removed += model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)
    return removed


def retention_sweep(*, now: datetime | None = None) -> RetentionRun:
    """Remove what is due under every rule and record how much went, by kind."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=timezone.now())
    removed = {"declarations": 0, "declaration_history": 0, "answers": 0}
    for retention in retention_effective():
        if retention.data_kind == RetentionRule.DataKind.DECLARATIONS:
            removed["declarations"] += _delete_in_batches(declarations_due(retention, now))
            removed["declaration_history"] += _delete_in_batches(
                declaration_history_due(retention, now)
            )
        else:
            removed["answers"] += _delete_in_batches(answers_due(retention, now))
    run.removed = removed
    run.finished_at = timezone.now()
    run.save(update_fields=["removed", "finished_at"])
    return run
