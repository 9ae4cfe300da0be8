from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Segment(TimeStampedModel):
    """A group of customers described by a rule over what they told us and did with us.

    The rule is a tree: {"all": [...]}, {"any": [...]}, {"not": rule}, or one condition such as
    {"attribute": "diet", "op": "eq", "value": "vegan"}; see `apps.personalization.rules`. It
    compiles to one SQL query, always limited to customers who granted `personalization`.
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(_("rule"), default=dict)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
