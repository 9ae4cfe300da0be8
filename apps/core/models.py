from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
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


class OutboxEventQuerySet(models.QuerySet["OutboxEvent"]):
    def unpublished(self) -> "OutboxEventQuerySet":
        return self.filter(published_at__isnull=True)


class OutboxEvent(models.Model):
    """A domain event written in the transaction that caused it, relayed after commit."""

    name = models.CharField(_("name"), max_length=100)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    relay_attempts = models.PositiveIntegerField(_("relay attempts"), default=0)

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(published_at__isnull=True),
                name="core_outbox_unpublished_idx",
            ),
            models.Index(fields=["name", "created_at"], name="core_outbox_name_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
