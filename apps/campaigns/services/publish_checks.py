"""What keeps a campaign from going live, in words staff can act on: shown on the builder
before publishing and checked again by `campaign_publish`."""

from django.db.models import Model
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname, get_translation_fields

from apps.campaigns.assessments import score_band_gaps
from apps.campaigns.models import Campaign, Option, Question
from apps.preferences.models import Attribute

# Questions answered with a value, not by choosing one of the question's answers.
VALUE_KINDS = (Question.Kind.SCALE, Question.Kind.MOOD, Question.Kind.NUMBER, Question.Kind.TEXT)

# Customer-visible texts that may stay empty; once written in one language they are needed in
# every language, or some customers would read the fallback in another language.
OPTIONAL_TEXTS = {
    "campaign": ("intro",),
    "question": ("explanation", "scale_label_low", "scale_label_high", "dimension"),
    "outcome": ("text", "next_step_label"),
    "band": ("text", "next_step"),
}


def campaign_publish_problems(*, campaign: Campaign) -> list[str]:
    """Everything that keeps a campaign from going live, in words staff can act on."""
    problems = []
    questions = list(
        campaign.questions.select_related("attribute__purpose").prefetch_related(
            "options__attribute__values",
            "options__attribute__purpose",
            "options__outcome",
            "options__skip_to",
        )
    )
    purpose_ids = set(campaign.purposes.values_list("pk", flat=True))
    if not questions:
        problems.append(_("The campaign has no questions."))
    for column in get_translation_fields("title"):
        if not getattr(campaign, column).strip():
            problems.append(_("The title is missing in one language."))
    problems.extend(_missing_texts(campaign, _("The campaign"), OPTIONAL_TEXTS["campaign"]))
    for question in questions:
        problems.extend(_question_problems(campaign, question, purpose_ids))
    problems.extend(_trivia_problems(campaign, questions))
    problems.extend(_outcome_problems(campaign, questions))
    for band in campaign.score_bands.all():
        name = _("The score band “%(band)s”") % {"band": band.title}
        problems.extend(_missing_texts(band, name, ("title", *OPTIONAL_TEXTS["band"]), always=1))
    problems.extend(score_band_gaps(campaign=campaign))
    return list(dict.fromkeys(problems))


def _question_problems(campaign: Campaign, question: Question, purpose_ids: set[int]) -> list:
    name = _("Question %(number)s") % {"number": question.position}
    problems = []
    if _missing_a_language(question, "text"):
        problems.append(
            _("%(question)s needs its text in German and English.") % {"question": name}
        )
    problems.extend(_missing_texts(question, name, OPTIONAL_TEXTS["question"]))
    if question.kind in VALUE_KINDS:
        return problems + _scale_problems(question, name, purpose_ids)
    options = list(question.options.all())
    if not options:
        problems.append(_("%(question)s has no answers.") % {"question": name})
    if question.kind == Question.Kind.IMAGE and any(not o.image for o in options):
        problems.append(_("%(question)s needs an image for every answer.") % {"question": name})
    for option in options:
        problems.extend(_option_problems(campaign, question, option, name, purpose_ids))
    return problems


def _option_problems(
    campaign: Campaign, question: Question, option: Option, name: str, purpose_ids: set[int]
) -> list[str]:
    problems = []
    if option.skip_to_id and (
        option.skip_to.campaign_id != campaign.pk or option.skip_to.position <= question.position
    ):
        problems.append(
            _("An answer of %(question)s branches to a question that does not come later.")
            % {"question": name}
        )
    if option.outcome_id and option.outcome.campaign_id != campaign.pk:
        problems.append(
            _("An answer of %(question)s counts towards another campaign's outcome.")
            % {"question": name}
        )
    if _missing_a_language(option, "label"):
        problems.append(
            _("An answer of %(question)s needs its text in German and English.")
            % {"question": name}
        )
    if option.attribute_id is None:
        if option.attribute_value:
            problems.append(
                _("An answer of %(question)s has a value but no attribute it tells us.")
                % {"question": name}
            )
        return problems
    problems.extend(_attribute_problems(option.attribute, name, purpose_ids))
    allowed = {value.key for value in option.attribute.values.all()}
    if option.attribute_value not in allowed:
        problems.append(
            _("%(question)s sets “%(attribute)s” to a value it does not allow.")
            % {"question": name, "attribute": option.attribute.label}
        )
    return problems


def _attribute_problems(attribute: Attribute, name: str, purpose_ids: set[int]) -> list[str]:
    """An answer may tell us something only for a purpose the customer is asked to agree to
    at the end of this campaign, in wording that has been published."""
    names = {"question": name, "attribute": attribute.label}
    if attribute.purpose_id not in purpose_ids:
        return [
            _(
                "%(question)s tells us “%(attribute)s”, but the campaign does not ask for its purpose."
            )
            % names
        ]
    if attribute.purpose.current_version_id is None:
        return [
            _(
                "%(question)s tells us “%(attribute)s”, but its purpose has no published wording, "
                "so nobody can agree to it."
            )
            % names
        ]
    return []


def _trivia_problems(campaign: Campaign, questions: list[Question]) -> list[str]:
    if campaign.kind != Campaign.Kind.TRIVIA or not questions:
        return []
    problems = []
    choices = [question for question in questions if question.kind not in VALUE_KINDS]
    for question in choices:
        options = list(question.options.all())
        if len(options) > 1 and all(option.is_correct for option in options):
            problems.append(
                _("Every answer of %(question)s is marked right, so nobody can be wrong.")
                % {"question": _("Question %(number)s") % {"number": question.position}}
            )
    # A quiz may ask for an opinion in between (no answer marked right), but must score.
    if not any(question.right_options for question in questions):
        problems.append(
            _(
                "The quiz has no question with a correct answer: mark the right answer of "
                "question %(numbers)s."
            )
            % {"numbers": ", ".join(str(q.position) for q in choices) or "—"}
        )
    return problems


def _outcome_problems(campaign: Campaign, questions: list[Question]) -> list[str]:
    outcomes = list(campaign.outcomes.all())
    if campaign.kind == Campaign.Kind.PERSONALITY and not outcomes:
        return [_("The personality quiz has no outcomes.")]
    reached = {option.outcome_id for question in questions for option in question.options.all()}
    problems = []
    for outcome in outcomes:
        title = outcome.title or outcome.key
        name = _("The outcome “%(outcome)s”") % {"outcome": title}
        if outcome.pk not in reached:
            problems.append(
                _("Nobody can reach the outcome “%(outcome)s”: no answer counts towards it.")
                % {"outcome": title}
            )
        problems.extend(_missing_texts(outcome, name, ("title", *OPTIONAL_TEXTS["outcome"]), 1))
    return problems


def _missing_a_language(row: Model, field: str) -> bool:
    """Whether a text is empty in any of the site's languages (a campaign goes live in all)."""
    return any(not getattr(row, column).strip() for column in get_translation_fields(field))


def _missing_texts(row: Model, name: str, fields: tuple[str, ...], always: int = 0) -> list[str]:
    """A text written in some languages but not in others, naming the missing languages. The
    first `always` fields are required in every language even when empty in all."""
    problems = []
    for index, field in enumerate(fields):
        codes = [column.rsplit("_", 1)[-1] for column in get_translation_fields(field)]
        missing = [
            code
            for code in codes
            if not (getattr(row, build_localized_fieldname(field, code)) or "").strip()
        ]
        if not missing or (len(missing) == len(codes) and index >= always):
            continue
        problems.append(
            _("%(part)s: “%(field)s” is missing in %(languages)s.")
            % {
                "part": name,
                "field": row._meta.get_field(field).verbose_name,
                "languages": ", ".join(
                    str(get_language_info(code)["name_translated"]) for code in missing
                ),
            }
        )
    return problems


def _scale_problems(question: Question, name: str, purpose_ids: set[int]) -> list[str]:
    problems = []
    if question.kind != Question.Kind.TEXT and question.scale_min >= question.scale_max:
        problems.append(_("%(question)s needs a scale that goes up.") % {"question": name})
    attribute = question.attribute
    if attribute is not None:
        problems.extend(_attribute_problems(attribute, name, purpose_ids))
        if question.kind == Question.Kind.TEXT:
            fits = attribute.kind == Attribute.Kind.TEXT and (
                question.max_length <= attribute.max_length
            )
        else:
            fits = attribute.kind in (Attribute.Kind.SCALE, Attribute.Kind.NUMBER) and (
                attribute.min_value <= question.scale_min
                and question.scale_max <= attribute.max_value
            )
        if not fits:
            problems.append(
                _("%(question)s sets “%(attribute)s” to a value it does not allow.")
                % {"question": name, "attribute": attribute.label}
            )
    return problems
