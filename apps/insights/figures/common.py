"""What the figure modules share."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from apps.loyalty.models import EarningRule

Row = dict[str, object]


def rule_references():
    """`rule:<id>` of every earning rule: the source of the points they pay, as the ledger
    records it."""
    return EarningRule.objects.annotate(
        ref=Concat(Value("rule:"), Cast("pk", CharField()), output_field=CharField())
    ).values("ref")
