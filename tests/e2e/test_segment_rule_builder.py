import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from apps.personalization.models import Segment
from apps.personalization.rules import rule_compile
from tests.e2e.admin_sign_in import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "rule-builder-e2e"
ADD_SEGMENT = "/admin/personalization/segment/add/"


def _control(page: Page, key: str):
    """A builder control by its place in the tree ("r.1/kind"): stable across translations."""
    return page.locator(f'[data-rb-key="{key}"]')


def _log_in_as_staff(page: Page, live_server) -> None:
    user = get_user_model().objects.create_user(username="brand", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="personalization",
            codename__in=["add_segment", "change_segment", "view_segment"],
        )
    )
    # Admin pages link no icon; the browser's guess would log a 404 as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin_sign_in(page, f"{live_server.url}/admin/login/?next={ADD_SEGMENT}", "brand", PASSWORD)
    expect(page.locator("#id_key")).to_be_visible()


def test_staff_build_a_segment_rule_without_writing_json(
    live_server, page: Page, console_errors: list[str]
):
    from apps.loyalty.models import Account
    from apps.preferences.models import Declaration, Source
    from tests.consent.factories import grant_consent, published_purpose
    from tests.loyalty.factories import TierFactory
    from tests.preferences.factories import AttributeFactory
    from tests.profiles.factories import ProfileFactory

    purpose = published_purpose(key="personalization")
    diet = AttributeFactory(key="diet", purpose=purpose, choices=["omni", "vegan"])
    TierFactory(key="silver", threshold=100)
    gold = TierFactory(key="gold", threshold=500)
    for n in range(7):
        profile = ProfileFactory()
        Declaration.objects.create(
            profile=profile,
            attribute=diet,
            value="vegan",
            source=Source.IMPORT,
            consent_event=grant_consent(profile, purpose),
        )
        Account.objects.create(profile=profile, tier=gold if n < 5 else None)
    _log_in_as_staff(page, live_server)

    page.locator("#id_key").fill("vegan-gold")
    page.locator("#id_name").fill("Vegan und Gold")
    # The builder replaces the JSON textarea, which stays in the form.
    expect(page.locator("#id_rule")).to_be_hidden()
    expect(_control(page, "r/group")).to_have_value("all")

    _control(page, "r/add-condition").click()
    expect(_control(page, "r.0/kind")).to_be_focused()
    # Every control has a real label (its words come from gettext, so only their presence).
    expect(_control(page, "r.0/kind")).to_have_accessible_name(re.compile(r"\w"))
    _control(page, "r.0/attribute").select_option("diet")
    _control(page, "r.0/op").select_option("eq")
    _control(page, "r.0/value").select_option("vegan")
    expect(page.locator("#segment-preview")).to_contain_text("7 Kundinnen und Kunden")

    _control(page, "r/add-condition").click()
    _control(page, "r.1/kind").select_option("tier")
    _control(page, "r.1/tier").select_option("gold")
    expect(page.locator("#segment-preview")).to_contain_text("5 Kundinnen und Kunden")

    page.locator("[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Segment.objects.get(key="vegan-gold").rule == {
        "all": [{"attribute": "diet", "op": "eq", "value": "vegan"}, {"tier": "gold"}]
    }
    assert console_errors == []


def test_every_condition_the_builder_makes_compiles(
    live_server, page: Page, console_errors: list[str]
):
    from apps.preferences.models import Attribute
    from tests.campaigns.factories import OutcomeFactory
    from tests.challenges.factories import ChallengeFactory
    from tests.consent.factories import published_purpose
    from tests.loyalty.factories import TierFactory
    from tests.preferences.factories import AttributeFactory

    purpose = published_purpose(key="personalization")
    published_purpose(key="newsletter")
    kinds = Attribute.Kind
    AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omni"])
    AttributeFactory(
        key="hobbies", purpose=purpose, kind=kinds.MULTIPLE_CHOICE, choices=["run", "read"]
    )
    AttributeFactory(key="mood", purpose=purpose, kind=kinds.SCALE, min_value=1, max_value=5)
    AttributeFactory(key="budget", purpose=purpose, kind=kinds.NUMBER, min_value=0, max_value=99)
    AttributeFactory(key="wish", purpose=purpose, kind=kinds.TEXT)
    AttributeFactory(key="birthday", purpose=purpose, kind=kinds.DATE)
    TierFactory(key="gold", threshold=500)
    OutcomeFactory(key="crunchy")
    ChallengeFactory()
    Segment.objects.create(key="other", name="Other", rule={"tier": "gold"})
    _log_in_as_staff(page, live_server)

    vocabulary = json.loads(page.locator("#id_rule-vocabulary").text_content())
    conditions = 0
    for kind in vocabulary["kinds"]:
        if kind["key"] == "attribute":
            continue
        _control(page, "r/add-condition").click()
        _control(page, f"r.{conditions}/kind").select_option(kind["key"])
        conditions += 1
    for attribute in vocabulary["attributes"]:
        for operator in vocabulary["operators"][attribute["kind"]]:
            _control(page, "r/add-condition").click()
            _control(page, f"r.{conditions}/attribute").select_option(attribute["key"])
            _control(page, f"r.{conditions}/op").select_option(operator["key"])
            conditions += 1
    # Groups nest: "none of" around one condition, "any of" around two.
    for group, inner in (("not", 1), ("any", 2)):
        _control(page, "r/add-group").click()
        _control(page, f"r.{conditions}/group").select_option(group)
        for _n in range(inner):
            _control(page, f"r.{conditions}/add-condition").click()
        conditions += 1
    expect(page.locator("#segment-preview")).to_contain_text("Weniger als 5")

    rule = json.loads(page.locator("#id_rule").input_value())
    assert len(rule["all"]) == conditions
    first = vocabulary["attributes"][0]["key"]
    assert rule["all"][-2] == {"not": {"attribute": first, "op": "declared"}}
    assert rule["all"][-1] == {"any": [{"attribute": first, "op": "declared"}] * 2}
    rule_compile(rule)
    assert console_errors == []


def test_editing_a_saved_rule_keeps_the_parts_left_alone(
    live_server, page: Page, console_errors: list[str]
):
    from tests.consent.factories import published_purpose
    from tests.preferences.factories import AttributeFactory

    purpose = published_purpose(key="personalization")
    AttributeFactory(
        key="hobbies", purpose=purpose, kind="multiple_choice", choices=["run", "read", "cook"]
    )
    kept = {"not": {"any": [{"consent": "personalization"}, {"churn_risk": "high"}]}}
    segment = Segment.objects.create(
        key="readers",
        name="Readers",
        rule={"any": [kept, {"attribute": "hobbies", "op": "has_any", "value": ["read"]}]},
    )
    _log_in_as_staff(page, live_server)
    page.goto(f"{live_server.url}/admin/personalization/segment/{segment.pk}/change/")

    expect(_control(page, "r/group")).to_have_value("any")
    expect(_control(page, "r.0/group")).to_have_value("not")
    expect(_control(page, "r.0.1/churn_risk")).to_have_value("high")
    page.locator('[data-rb-key="r.1/value-2"]').check()
    page.locator("[name=_save]").click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    segment.refresh_from_db()
    assert segment.rule == {
        "any": [kept, {"attribute": "hobbies", "op": "has_any", "value": ["read", "cook"]}]
    }
    assert console_errors == []


def test_the_rule_can_still_be_written_as_json(live_server, page: Page, console_errors: list[str]):
    from tests.consent.factories import published_purpose
    from tests.loyalty.factories import TierFactory

    published_purpose(key="personalization")
    TierFactory(key="gold", threshold=500)
    _log_in_as_staff(page, live_server)

    page.locator(".rule-builder__toggle").click()
    page.locator("#id_rule").fill('{"any": [{"tier": "gold"}, {"balance_gte": 50}]}')

    expect(_control(page, "r/group")).to_have_value("any")
    expect(_control(page, "r.0/tier")).to_have_value("gold")
    expect(_control(page, "r.1/balance_gte")).to_have_value("50")
    page.locator("#id_rule").fill('{"any": [')
    expect(page.locator(".rule-builder__notice")).to_be_visible()
    expect(page.locator(".rule-builder__tree")).to_be_hidden()
    assert console_errors == []
