import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.core.validators import validate_site_or_https_link
from apps.personalization.models import Offer


@pytest.mark.parametrize(
    "link", ["/c/snack-quiz/", "/", "https://shop.example/box?x=1", "https://shop.example"]
)
def test_validate_site_or_https_link_accepts_site_paths_and_https_addresses(link):
    validate_site_or_https_link(link)


@pytest.mark.parametrize(
    "link",
    [
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "/\t/evil.example",
        "http://shop.example",
        "javascript:alert(1)",
        "https://",
        "https:evil.example",
        " https://shop.example",
        "shop.example",
    ],
)
def test_validate_site_or_https_link_refuses_links_that_leave_for_anywhere(link):
    with translation.override("en"), pytest.raises(ValidationError, match="path on this site"):
        validate_site_or_https_link(link)


def test_an_offer_link_is_checked_by_the_same_validator():
    offer = Offer(key="box", link="//evil.example")

    with pytest.raises(ValidationError) as error:
        offer.clean()

    assert set(error.value.message_dict) == {"link"}
