from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def within_schedule(at) -> Q:
    """Rows whose optional `starts_at`/`ends_at` window holds the moment `at`."""
    return (Q(starts_at__isnull=True) | Q(starts_at__lte=at)) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


class ImmutableRecordError(ValueError):
    """A write to a record that must never change once written or published."""


class AppendOnlyModel(models.Model):
    """Rows that are evidence: written once, never changed. On PostgreSQL a trigger enforces
    it too; this stops the ORM earlier, with a clear error."""

    # Retention and erasure may remove some records; others must outlive them.
    deletable = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableRecordError(f"{self._meta.verbose_name} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.deletable:
            raise ImmutableRecordError(f"{self._meta.verbose_name} rows are append-only.")
        return super().delete(*args, **kwargs)


def _pending() -> Q:
    return Q(published_at__isnull=True, dead_at__isnull=True)


class OutboxEventQuerySet(models.QuerySet["OutboxEvent"]):
    def unpublished(self) -> "OutboxEventQuerySet":
        return self.filter(published_at__isnull=True)

    def pending(self) -> "OutboxEventQuerySet":
        """Waiting to be relayed: not relayed yet and not given up on."""
        return self.filter(_pending())

    def due(self, at) -> "OutboxEventQuerySet":
        return self.pending().filter(next_attempt_at__lte=at)

    def dead(self) -> "OutboxEventQuerySet":
        """Given up on (an erasure may since have marked one relayed: then it is not)."""
        return self.filter(dead_at__isnull=False, published_at__isnull=True)


class OutboxEvent(models.Model):
    """A domain event written in the transaction that caused it, relayed after commit.

    A relay that fails is tried again after a growing wait (`next_attempt_at`); after
    OUTBOX_MAX_ATTEMPTS it is a dead letter (`dead_at`) that staff may replay."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PUBLISHED = "published", _("Relayed")
        DEAD = "dead", _("Dead letter")

    name = models.CharField(_("name"), max_length=100)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    relay_attempts = models.PositiveIntegerField(_("relay attempts"), default=0)
    # Set by the database too: the ledger writes its events in its own INSERT statement.
    next_attempt_at = models.DateTimeField(
        _("next attempt"), default=timezone.now, db_default=Now()
    )
    dead_at = models.DateTimeField(_("given up"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="", db_default="")

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            # Only the few rows still waiting: the sweep's and the relay's whole working set.
            models.Index(
                fields=["next_attempt_at"], condition=_pending(), name="core_outbox_pending_idx"
            ),
            models.Index(
                fields=["dead_at"],
                condition=Q(dead_at__isnull=False),
                name="core_outbox_dead_idx",
            ),
            models.Index(fields=["name", "created_at"], name="core_outbox_name_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def state(self) -> str:
        if self.published_at is not None:
            return self.State.PUBLISHED
        if self.dead_at is not None:
            return self.State.DEAD
        return self.State.PENDING
