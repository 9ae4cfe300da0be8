import html
import json
import re

import pytest
from django.urls import reverse

from apps.personalization.models import Segment
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

VOCABULARY = re.compile(
    r'<script id="id_rule-vocabulary" type="application/json">(?P<json>.*?)</script>', re.S
)


def test_the_add_page_offers_the_rule_builder_with_its_vocabulary(admin_client, purpose):
    AttributeFactory(key="diet", purpose=purpose, choices=["vegan", "omni"])

    response = admin_client.get(reverse("admin:personalization_segment_add"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-rule-builder="id_rule-vocabulary"' in content
    assert 'src="/static/js/segment-rule-builder.js"' in content
    assert 'href="/static/css/segment-rule-builder.css"' in content
    assert "rule-builder-change" in content  # the live count listens to the builder
    vocabulary = json.loads(VOCABULARY.search(content)["json"])
    assert [attribute["key"] for attribute in vocabulary["attributes"]] == ["diet"]
    assert vocabulary["purposes"] == [{"key": "personalization", "label": "Zweck personalization"}]


def test_the_change_page_keeps_the_rule_in_its_textarea_for_pages_without_script(
    admin_client, purpose
):
    rule = {"all": [{"attribute": "diet", "op": "declared"}]}
    AttributeFactory(key="diet", purpose=purpose, choices=["vegan"])
    segment = Segment.objects.create(key="told", name="Told", rule=rule)

    response = admin_client.get(reverse("admin:personalization_segment_change", args=[segment.pk]))

    textarea = re.search(
        r'<textarea name="rule"[^>]*>(.*?)</textarea>', response.content.decode(), re.S
    )
    assert json.loads(html.unescape(textarea[1])) == rule


def test_the_rule_builder_page_has_no_inline_script(admin_client, purpose):
    response = admin_client.get(reverse("admin:personalization_segment_add"))

    for tag in re.findall(r"<script[^>]*>", response.content.decode()):
        assert "src=" in tag or 'type="application/json"' in tag, tag
