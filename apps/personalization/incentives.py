"""Segments as loyalty sees them: bonus points for a group defined by what people did."""

import logging

from django.utils.translation import gettext as _

from apps.personalization.models import Segment
from apps.personalization.rules import RuleError, rule_compile_activity, rule_uses_only_activity
from apps.profiles.models import Profile

logger = logging.getLogger(__name__)


class SegmentsForIncentives:
    def contains(self, profile: Profile, segment_key: str) -> bool:
        segment = Segment.objects.filter(key=segment_key).first()
        if segment is None or not rule_uses_only_activity(segment.rule):
            return False
        try:
            condition = rule_compile_activity(segment.rule, segment_key=segment.key)
        except RuleError:
            # A tier or segment it names was removed: no bonus, and the customer's own
            # action still succeeds.
            logger.warning("Bonus segment %s has a rule that no longer compiles.", segment_key)
            return False
        return Profile.objects.filter(condition, pk=profile.pk).exists()

    def problem(self, segment_key: str) -> str:
        segment = Segment.objects.filter(key=segment_key).first()
        if segment is None:
            return _("There is no segment “%(key)s”.") % {"key": segment_key}
        if not rule_uses_only_activity(segment.rule):
            return _(
                "This segment uses consent or what customers told us; bonus points cannot "
                "depend on that."
            )
        try:
            rule_compile_activity(segment.rule, segment_key=segment.key)
        except RuleError as error:
            return error.message
        return ""
