"""A method an address does not answer is 405 with `Allow`, whoever asks: the method is checked
before the token, its scopes and the rate limit."""

import pytest

from tests.partners.api.endpoints import METHODS, concrete, documented_methods, paths, url_routes

pytestmark = pytest.mark.django_db

WRONG_METHODS = [
    pytest.param(method, path, id=f"{method} {path}")
    for path in paths()
    for method in METHODS
    if method not in documented_methods(path)
]


def test_every_url_pattern_of_the_api_is_in_the_contract():
    assert sorted(url_routes()) == sorted(paths())


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_a_method_the_endpoint_does_not_answer_is_405_with_allow(make_partner, method, path):
    # A token without a single scope: the answer must not depend on what it may do.
    client = make_partner(scopes=[])

    response = client.generic(method, concrete(path))

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == documented_methods(path)
    if method != "HEAD":
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "/api/problems/method-not-allowed"


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS[:3])
def test_a_wrong_method_without_a_token_is_405_too(client, method, path):
    response = client.generic(method, concrete(path))

    assert response.status_code == 405


@pytest.mark.parametrize("path", paths())
def test_an_answered_method_still_needs_its_scope(make_partner, path):
    method = sorted(documented_methods(path) - {"HEAD"})[0]
    client = make_partner(scopes=[])

    response = client.generic(method, concrete(path), b"{}", content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
