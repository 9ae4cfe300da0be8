from datetime import date, timedelta

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import Campaign
from apps.insights.periods import DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, site_today


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class RangeForm(forms.Form):
    """A range of days; both ends optional (the last 30 days up to today)."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Said to the user when their range was changed, e.g. shortened to the longest allowed.
        self.notice = ""

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = site_today()
        end = cleaned.get("end") or today
        if end > today:
            # Nothing has happened after today; far-off dates would not even fit a datetime.
            end = today
            self.notice = gettext("There are no figures after today, so the range ends today.")
        start = cleaned.get("start") or _days_before(end, DEFAULT_RANGE_DAYS - 1)
        start = min(start, end) if cleaned.get("start") and start > today else start
        if end < start:
            raise forms.ValidationError(
                _("The end date is before the start date."), code="reversed"
            )
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            start = _days_before(end, MAX_RANGE_DAYS - 1)
            self.notice = gettext(
                "A range can be at most %(days)s days long, so it now starts on %(start)s."
            ) % {"days": MAX_RANGE_DAYS, "start": formats.date_format(start, "SHORT_DATE_FORMAT")}
        cleaned.update(start=start, end=end)
        return cleaned

    def query(self, **extra) -> dict[str, str]:
        """The cleaned filters as query parameters, for links that keep them."""
        return {
            "start": self.cleaned_data["start"].isoformat(),
            "end": self.cleaned_data["end"].isoformat(),
            **{name: str(value) for name, value in extra.items()},
        }


def _days_before(day: date, days: int) -> date:
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


class CampaignChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("There is no campaign with this id. Choose one from the list.")
    }

    def label_from_instance(self, campaign: Campaign) -> str:
        return f"{campaign.title} ({campaign.slug})"


def _campaigns():
    return Campaign.objects.order_by("position", "-created_at")


class CampaignRangeForm(RangeForm):
    campaign = CampaignChoiceField(
        label=_("Campaign"), queryset=_campaigns(), required=False, empty_label="—"
    )

    field_order = ["campaign", "start", "end"]


class CompareForm(RangeForm):
    first = CampaignChoiceField(
        label=_("Campaign"), queryset=_campaigns(), required=False, empty_label="—"
    )
    second = CampaignChoiceField(
        label=_("compared with"), queryset=_campaigns(), required=False, empty_label="—"
    )

    field_order = ["first", "second", "start", "end"]

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("first"), cleaned.get("second")
        if first and second and first == second:
            raise forms.ValidationError(_("Choose two different campaigns."), code="same")
        return cleaned
