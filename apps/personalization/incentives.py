"""Segments as loyalty sees them: bonus points for a group defined by what people did."""

from django.utils.translation import gettext as _

from apps.personalization.models import Segment
from apps.personalization.rules import RuleError, rule_compile_activity, rule_uses_only_activity
from apps.profiles.models import Profile


class SegmentsForIncentives:
    def contains(self, profile: Profile, segment_key: str) -> bool:
        segment = Segment.objects.filter(key=segment_key).first()
        if segment is None or not rule_uses_only_activity(segment.rule):
            return False
        return Profile.objects.filter(
            rule_compile_activity(segment.rule, segment_key=segment.key), pk=profile.pk
        ).exists()

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
