"""Every event the apps publish is a definition, and the partner catalogue names only those.

The publish calls are found in the source with `ast` and what they publish is resolved in the
module that makes them, so a string, or a class no events module defines, fails here before
any partner sees the difference.
"""

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings

from apps.challenges.models import KNOWN_EVENTS
from apps.core import events as core_events
from apps.core.events import ALL_EVENTS, EVENT_DEFINITIONS, Event, subscribe
from apps.loyalty import demo as loyalty_demo
from apps.loyalty.events import PointsChanged
from apps.loyalty.services import ledger
from apps.partners.events import PartnerEventReported
from apps.partners.models import PartnerChange, PartnerEventType
from apps.privacy.models import PartnerNotice

APPS = Path(settings.BASE_DIR) / "apps"
PUBLISHERS = ("publish",)
# Named at run time by the PartnerEventType staff created, not in code.
NAMED_BY_STAFF = {PartnerEventReported}


@dataclass(frozen=True)
class PublishSite:
    where: str
    published: tuple[type[Event], ...]
    problem: str = ""


def _assignments(tree: ast.AST) -> dict[str, list[ast.expr]]:
    """What each plain name is set to anywhere in the module (locals included), and what a
    loop variable runs over."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.iter)
    return assigned


def _members(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _resolve(node: ast.expr, namespace: dict[str, Any], assigned) -> list[Any]:
    """The objects an expression may stand for: a class, or the members of a mapping or
    sequence it indexes, on both sides of a conditional."""
    if isinstance(node, ast.Call):
        return _resolve(node.func, namespace, assigned)
    if isinstance(node, ast.IfExp):
        return _resolve(node.body, namespace, assigned) + _resolve(node.orelse, namespace, assigned)
    if isinstance(node, ast.Subscript):
        return [
            member
            for value in _resolve(node.value, namespace, assigned)
            for member in _members(value)
        ]
    if isinstance(node, ast.Attribute):
        # A builder on the definition, e.g. PreferenceDeclared.of(declaration).
        return [
            value for value in _resolve(node.value, namespace, assigned) if isinstance(value, type)
        ]
    if isinstance(node, ast.Name):
        if node.id in namespace:
            return [namespace[node.id]]
        return [
            value
            for expression in assigned.get(node.id, [])
            for value in _resolve(expression, namespace, assigned)
        ]
    return [node]


def _problem(value: Any) -> str:
    if isinstance(value, ast.Constant | ast.JoinedStr):
        return "names the event with a string"
    if not (isinstance(value, type) and issubclass(value, Event)):
        return f"publishes {value!r}, which is no Event"
    if value in NAMED_BY_STAFF:
        return ""
    if not isinstance(value.__dict__.get("name"), str):
        return f"publishes {value.__name__}, which has no name of its own"
    if EVENT_DEFINITIONS.get(value.name) is not value:
        return f"publishes {value.__name__}, which is not the definition of {value.name!r}"
    return ""


def publish_sites(source: str, namespace: dict[str, Any], where: str) -> list[PublishSite]:
    tree = ast.parse(source)
    assigned = _assignments(tree)
    sites = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if name not in PUBLISHERS:
            continue
        here = f"{where}:{node.lineno}"
        if len(node.args) + len(node.keywords) != 1:
            sites.append(PublishSite(here, (), "publishes a name and a payload"))
            continue
        values = _resolve(node.args[0], namespace, assigned)
        problems = [problem for problem in map(_problem, values) if problem]
        if not values:
            problems = ["publishes nothing that can be resolved"]
        published = tuple(value for value in values if not _problem(value))
        sites.append(PublishSite(here, published, "; ".join(problems)))
    return sites


def _module(path: Path) -> ModuleType:
    relative = path.relative_to(Path(settings.BASE_DIR)).with_suffix("")
    return importlib.import_module(".".join(relative.parts).removesuffix(".__init__"))


def _app_publish_sites() -> list[PublishSite]:
    sites = []
    for path in sorted(APPS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        if "publish(" not in source:
            continue
        where = str(path.relative_to(Path(settings.BASE_DIR)))
        sites += publish_sites(source, vars(_module(path)), where)
    return sites


@pytest.fixture(scope="module")
def app_publish_sites() -> list[PublishSite]:
    return _app_publish_sites()


def _published_names(sites: list[PublishSite]) -> set[str]:
    return {
        definition.name
        for site in sites
        for definition in site.published
        if definition not in NAMED_BY_STAFF
    }


def test_every_publish_call_publishes_a_defined_event(app_publish_sites):
    assert [f"{site.where}: {site.problem}" for site in app_publish_sites if site.problem] == []
    # Every app that publishes was scanned: no site got lost to a change in the scan.
    assert len(app_publish_sites) >= 30
    assert {site.where.split("/")[1] for site in app_publish_sites} >= {
        "profiles",
        "consent",
        "preferences",
        "campaigns",
        "challenges",
        "loyalty",
        "partners",
        "privacy",
    }


def test_every_published_name_is_defined_once_in_its_apps_events_module(app_publish_sites):
    for name in _published_names(app_publish_sites):
        definition = EVENT_DEFINITIONS[name]
        assert definition.__module__.startswith("apps.")
        assert definition.__module__.endswith(".events")


def test_every_definition_in_the_apps_is_published_somewhere(app_publish_sites):
    defined = {
        name
        for name, definition in EVENT_DEFINITIONS.items()
        if definition.__module__.startswith("apps.")
    }
    assert defined - _published_names(app_publish_sites) == set()


def test_the_partner_catalogue_names_only_published_definitions(app_publish_sites):
    published = _published_names(app_publish_sites)
    for kind in [*PartnerChange.Kind.values, *PartnerNotice.Kind.values]:
        assert kind in EVENT_DEFINITIONS, kind
        assert kind in published, kind
    assert set(PartnerNotice.Kind.values) <= set(PartnerChange.Kind.values)


def test_every_event_partners_are_told_of_has_a_catalogue_entry():
    """outbound.py shapes what each event tells a partner; an event it shapes that the
    catalogue lacks would never reach a partner, and the other way round."""
    source = (APPS / "partners" / "outbound.py").read_text()
    namespace = vars(importlib.import_module("apps.partners.outbound"))
    shaped = {
        namespace[node.value.id].name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr == "name"
        and isinstance(node.value, ast.Name)
        and isinstance(namespace.get(node.value.id), type)
        and issubclass(namespace[node.value.id], Event)
    }
    assert shaped
    assert shaped <= set(PartnerChange.Kind.values)


def test_every_subscription_is_to_a_definition():
    registries = (
        core_events._in_transaction_handlers,
        core_events._relayed_handlers,
        core_events._after_commit_handlers,
    )
    subscribed = {name for registry in registries for name in registry}
    assert subscribed
    assert subscribed - {ALL_EVENTS} <= set(EVENT_DEFINITIONS)


def test_subscribing_to_a_string_is_refused():
    with pytest.raises(TypeError, match="event definition"):
        subscribe("quiz.completed")


@pytest.mark.django_db
def test_event_names_staff_choose_from_are_defined():
    """Ours are defined in code; a partner's (purchase) is a `PartnerEventType` row."""
    partner_event_types = set(PartnerEventType.objects.values_list("key", flat=True))
    for name, _label in KNOWN_EVENTS:
        assert name in EVENT_DEFINITIONS, name
    for _label_de, _label_en, name, _points in loyalty_demo.RULES:
        assert name in EVENT_DEFINITIONS or name in partner_event_types, name


def test_the_ledgers_own_statement_writes_the_points_changed_payload():
    statement = ledger.CREDIT_SQL
    assert f"'{PointsChanged.name}'" in statement
    built = statement.split("jsonb_build_object(")[1].split(")")[0]
    keys = [part.strip().strip("'") for part in built.split(",")[::2]]
    assert keys == list(PointsChanged(profile="", amount=0, kind="", balance=0).payload())


# The scan itself, on made-up code: these must fail.


@dataclass(frozen=True, kw_only=True)
class _Nameless(Event):
    something: str = ""


@dataclass(frozen=True)
class _NotAnEvent:
    name = "made.up"


FAKE_NAMESPACE = {"publish": None, "Nameless": _Nameless, "NotAnEvent": _NotAnEvent}


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        ('publish("made.up", {"profile": "p"})', "publishes a name and a payload"),
        ('publish("made.up")', "names the event with a string"),
        ('publish(f"campaign.{state}")', "names the event with a string"),
        ("publish(NotAnEvent())", "which is no Event"),
        ("publish(Nameless())", "has no name of its own"),
        ("publish(Unknown())", "publishes nothing that can be resolved"),
    ],
)
def test_the_scan_finds_a_publish_of_an_undefined_event(call, problem):
    source = f"def act(state):\n    {call}\n"

    (site,) = publish_sites(source, FAKE_NAMESPACE, "fake.py")

    assert problem in site.problem


def test_the_scan_resolves_a_definition_through_a_mapping_and_a_conditional():
    from apps.campaigns.events import CampaignEnded, CampaignStarted
    from apps.consent.events import ConsentGranted, ConsentWithdrawn

    namespace = {
        "EVENT_FOR_ACTION": {"grant": ConsentGranted, "withdraw": ConsentWithdrawn},
        "CampaignEnded": CampaignEnded,
        "CampaignStarted": CampaignStarted,
    }
    source = (
        "def act(action, ended):\n"
        "    publish(EVENT_FOR_ACTION[action](profile='p'))\n"
        "    event = (CampaignEnded if ended else CampaignStarted)(campaign='c')\n"
        "    publish(event)\n"
    )

    first, second = publish_sites(source, namespace, "fake.py")

    assert (first.problem, second.problem) == ("", "")
    assert first.published == (ConsentGranted, ConsentWithdrawn)
    assert second.published == (CampaignEnded, CampaignStarted)
