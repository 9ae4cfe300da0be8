"""The load test's people can do what locust asks of them, and a step's verdict follows its
figures: a load run that measured redirects to a sign-in page, or passed a slow step, would
report nothing true."""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.load import run, world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp", "english")]


@pytest.fixture
def seeded(settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", population=0, verbosity=0)


def _browser(session_key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = session_key
    return client


def test_world_members_are_signed_in_players_of_a_quiz(seeded):
    (quiz,) = world._quizzes_ensure(1)
    (member,) = world._members_build(1)
    browser = _browser(member)

    assert quiz["questions"] == 5
    assert browser.get("/me/points/").status_code == 200
    assert browser.post(f"/c/{quiz['slug']}/start/").headers["Location"].endswith("/q/1/")


def test_world_staff_sessions_open_the_dashboard_past_the_second_factor(seeded):
    (session,) = world._staff_sessions(1)
    urls = world._staff_urls()
    staff = _browser(session)

    assert staff.get(urls["dashboard"]).status_code == 200
    counted = staff.get(urls["segment_count"], {"rule": urls["segment_rule"]})
    assert counted.status_code == 200


def test_world_partners_see_their_customers_preferences(seeded):
    (partner,) = world._partners_build(1, customers=2)
    token = Client().post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials"},
        headers={"Authorization": _basic(partner["client_id"], partner["secret"])},
    )
    api = Client(headers={"Authorization": f"Bearer {token.json()['access_token']}"})

    reply = api.get(f"/api/v1/profiles/{partner['profiles'][0]}/preferences/")

    assert reply.status_code == 200


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _row(name: str, p95: str, failures: str = "0") -> dict[str, str]:
    method = name.split(" ", 1)[0]
    return {"Type": method, "Name": name, "Request Count": "10", "Failure Count": failures,
            "Requests/s": "1.0", "50%": "10", "95%": p95, "99%": p95}  # fmt: skip


def test_report_keeps_a_step_under_its_targets():
    assert run.report(10, [_row("GET home", "290"), _row("POST answer", "490")])


@pytest.mark.parametrize(
    "row",
    [
        _row("GET home", "300"),
        _row("POST answer", "500"),
        _row("GET question", "20", failures="1"),
    ],
)
def test_report_misses_a_slow_read_a_slow_write_or_any_error(row):
    assert not run.report(10, [_row("GET home", "10"), row])


def test_report_holds_the_token_request_to_no_latency_target():
    assert run.report(10, [_row("POST api token", "4000")])
