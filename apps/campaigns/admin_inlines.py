"""The parts of the one-page campaign builder: questions with their answers nested inside
(both ordered by dragging), outcomes and score bands, each text in language tabs."""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationInlineModelAdmin
from modeltranslation.utils import get_translation_fields
from nested_admin.formsets import NestedInlineFormSet, mutable_querydict
from nested_admin.nested import NestedStackedInline

from apps.campaigns.assessments import campaign_dimensions, score_band_problems
from apps.campaigns.models import Campaign, Option, Outcome, Question, ScoreBand
from apps.core.admin_mixins import image_preview
from apps.core.forms import ImageUploadField
from apps.preferences.models import Attribute

# Fields that hold a value before staff type anything: they do not make a new row count as
# filled in, so an untouched empty question or answer is not saved.
QUESTION_DEFAULTS = ["kind", "scale_min", "scale_max", "max_length"]
OUTCOME_NAME = re.compile(r"^outcomes-\d+-(key|title_[a-z_]+)$")
# nested-admin's stacked inline with its one English word translated.
STACKED = "admin/campaigns/nested-stacked.html"


class PositionedFormSet(NestedInlineFormSet):
    """Numbers the rows 1, 2, 3... in the order staff dragged them, and remembers which
    stored rows move, so their old places can be freed before the new order is saved."""

    def process_forms_pre_save(self, rows: list[forms.ModelForm]) -> list[forms.ModelForm]:
        def dragged_to(form: forms.ModelForm) -> int:
            position = getattr(form, "cleaned_data", {}).get("position")
            return 10**6 if position is None else position

        rows.sort(key=dragged_to)
        self.moved_pks = []
        position = 1
        for form in rows:
            if self._should_delete_form(form) or not (form._is_initial or form.has_changed()):
                continue
            if form.instance.position != position:
                form.instance.position = position
                with mutable_querydict(form.data):
                    form.data[form.add_prefix("position")] = str(position)
                form.__dict__.pop("changed_data", None)
            if form._is_initial and form.initial.get("position") != position:
                self.moved_pks.append(form.instance.pk)
            position += 1
        return rows

    def validate_unique(self) -> None:
        # The only unique rule across these rows is the position, renumbered on save.
        pass


class OptionsFormSet(PositionedFormSet):
    def get_queryset(self):
        # The campaign page loaded every question's answers at once (QuestionInline); reading
        # them again per question would cost a query each.
        cache = getattr(self.instance, "_prefetched_objects_cache", {})
        if not self.data and "options" in cache:
            return cache["options"]
        return super().get_queryset()


def plain_select(field: forms.Field | None) -> forms.Field | None:
    """A picker without the admin's add/change/view icons: the builder picks among rows that
    are edited elsewhere (attributes) or on this very page (questions)."""
    if isinstance(field.widget, RelatedFieldWidgetWrapper):
        field.widget = field.widget.widget
    return field


def builder_choices(request: HttpRequest) -> dict:
    """What the builder's pickers offer, read once per page however many answers it shows."""
    if not hasattr(request, "_builder_choices"):
        # Set by the page: the edited campaign, or the campaign of the edited question.
        campaign_id = getattr(request, "builder_campaign_id", None)
        attributes = list(
            Attribute.objects.filter(is_asked=True).prefetch_related("values").order_by("key")
        )
        questions = (
            list(Question.objects.filter(campaign_id=campaign_id).order_by("position"))
            if campaign_id
            else []
        )
        outcomes = list(Outcome.objects.filter(campaign_id=campaign_id)) if campaign_id else []
        request._builder_choices = {
            "attributes": [("", "---------"), *((a.pk, a.label) for a in attributes)],
            "values": {a.pk: [v.key for v in a.values.all()] for a in attributes},
            "questions": [("", "---------"), *((q.pk, str(q)) for q in questions)],
            "outcomes": outcomes,
        }
    return request._builder_choices


class OptionForm(forms.ModelForm):
    outcome_ref = forms.CharField(
        label=_("counts towards"),
        required=False,
        max_length=200,
        help_text=_("Personality quizzes: the key or title of one of this campaign's outcomes."),
    )
    image_upload = ImageUploadField(
        label=_("image"), required=False, help_text=_("For image-choice questions.")
    )

    class Meta:
        model = Option
        fields = ["position", "label", "is_correct", "attribute", "attribute_value", "skip_to"]
        widgets = {"position": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.outcome_id:
            self.initial.setdefault("outcome_ref", self.instance.outcome.key)

    def clean(self) -> dict:
        cleaned = super().clean()
        ref = (cleaned.get("outcome_ref") or "").strip()
        if ref and ref.casefold() not in self._outcome_names():
            self.add_error(
                "outcome_ref", _("No outcome of this campaign has the key or title “%s”.") % ref
            )
        attribute, value = cleaned.get("attribute"), cleaned.get("attribute_value")
        allowed = getattr(self, "allowed_values", {}).get(getattr(attribute, "pk", None))
        if attribute is not None and allowed is not None and value not in allowed:
            self.add_error(
                "attribute_value",
                _("Choose one of the values of “%(attribute)s”: %(values)s.")
                % {"attribute": attribute.label, "values": ", ".join(allowed)},
            )
        return cleaned

    def _outcome_names(self) -> set[str]:
        """Outcomes stored for the campaign and those typed on the same page, not yet saved."""
        names = {
            str(value).casefold() for key, value in self.data.items() if OUTCOME_NAME.match(key)
        }
        for outcome in getattr(self, "outcomes", []):
            names |= outcome_names(outcome)
        return names


def outcome_names(outcome: Outcome) -> set[str]:
    """What staff may type to name an outcome: its key or its title in any language."""
    titles = (getattr(outcome, column) for column in get_translation_fields("title"))
    return {outcome.key.casefold(), *(title.casefold() for title in titles if title)}


class OptionInline(TranslationInlineModelAdmin, NestedStackedInline):
    """Answers inside their question, each on a few lines: its text in language tabs, then
    what it means. Stacked rather than a table, because modeltranslation's language tabs
    work with nested-admin's stacked rows and not with rows added to a nested table."""

    template = STACKED
    model = Option
    form = OptionForm
    formset = OptionsFormSet
    fk_name = "question"
    sortable_field_name = "position"
    fields = [
        "position",
        "label",
        ("is_correct", "outcome_ref", "skip_to"),
        ("attribute", "attribute_value"),
        "image_upload",
    ]
    sortable_excludes = ["is_correct"]
    extra = 0

    def get_queryset(self, request: HttpRequest):
        # Each answer names its outcome by key (OptionForm).
        return super().get_queryset(request).select_related("outcome")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        choices = builder_choices(request)
        formset.form = type(
            "BuilderOptionForm",
            (formset.form,),
            {"outcomes": choices["outcomes"], "allowed_values": choices["values"]},
        )
        return formset

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return plain_select(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # One list per page for every answer's pickers: outcomes and branch targets come from
        # the edited campaign only; what customers tell us elsewhere is not a quiz answer.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        choices = builder_choices(request)
        if db_field.name == "attribute":
            field.choices = choices["attributes"]
        elif db_field.name == "skip_to":
            field.choices = choices["questions"]
        return field


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "position",
            "kind",
            "text",
            "explanation",
            "scale_min",
            "scale_max",
            "scale_label_low",
            "scale_label_high",
            "max_length",
            "dimension",
            "attribute",
        ]
        widgets = {"position": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        # Numbered on save (PositionedFormSet); the unique check waits for that number.
        if cleaned.get("position") is None:
            self.instance.position = 0
        return cleaned

    def _get_validation_exclusions(self) -> set[str]:
        # Positions are renumbered and freed on save (PositionedFormSet, then
        # `question_positions_release`), so two rows may name one position in between.
        return {*super()._get_validation_exclusions(), "position"}


class QuestionInline(TranslationInlineModelAdmin, NestedStackedInline):
    template = STACKED
    model = Question
    form = QuestionForm
    formset = PositionedFormSet
    sortable_field_name = "position"
    sortable_excludes = QUESTION_DEFAULTS
    inlines = [OptionInline]
    extra = 0
    fieldsets = [
        (None, {"fields": ["position", "kind", "text"]}),
        (
            _("Trivia feedback"),
            {"fields": ["explanation"], "classes": ["collapse"]},
        ),
        (
            _("Scale, number or text answers"),
            {
                "fields": [
                    ("scale_min", "scale_max"),
                    "scale_label_low",
                    "scale_label_high",
                    "max_length",
                    "dimension",
                    "attribute",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest):
        # Every question's answers (and the outcome each counts towards) in one query.
        options = Option.objects.select_related("outcome")
        return super().get_queryset(request).prefetch_related(Prefetch("options", options))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return plain_select(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "attribute":
            field.choices = builder_choices(request)["attributes"]
        return field


class OutcomeForm(forms.ModelForm):
    image_upload = ImageUploadField(label=_("image"), required=False)

    class Meta:
        model = Outcome
        fields = ["key", "title", "text", "next_step_label", "next_step_url"]


class OutcomeInline(TranslationInlineModelAdmin, NestedStackedInline):
    template = STACKED
    model = Outcome
    form = OutcomeForm
    fields = [
        "key",
        "title",
        "text",
        "next_step_label",
        "next_step_url",
        "image_upload",
        "current_image",
    ]
    readonly_fields = ["current_image"]
    extra = 0

    @admin.display(description=_("current image"))
    def current_image(self, outcome: Outcome) -> str:
        return image_preview(outcome.image, width=120, height=120)


class ScoreBandForm(forms.ModelForm):
    class Meta:
        model = ScoreBand
        fields = ["dimension", "lower_bound", "title", "text", "next_step"]

    def clean(self) -> dict:
        cleaned = super().clean()
        band = self.instance
        band.dimension = cleaned.get("dimension", "")
        band.lower_bound = cleaned.get("lower_bound")
        for field, messages_ in score_band_problems(band=band).items():
            for message in messages_:
                self.add_error(field, message)
        return cleaned


class ScoreBandInline(TranslationInlineModelAdmin, NestedStackedInline):
    """Self-assessments: levels per dimension with what they mean and what to do next."""

    template = STACKED
    model = ScoreBand
    form = ScoreBandForm
    fields = ["dimension", "lower_bound", "title", "text", "next_step"]
    ordering = ["dimension", "lower_bound"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Staff pick one of the campaign's dimensions rather than retyping its name.
        campaign_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "dimension" and campaign_id:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            names = sorted(campaign_dimensions(campaign=campaign)) if campaign else []
            if names:
                return forms.ChoiceField(
                    label=db_field.verbose_name,
                    choices=[("", _("Overall level")), *((name, name) for name in names)],
                    required=False,
                    help_text=_("Empty: the overall level, over the average of all dimensions."),
                )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
