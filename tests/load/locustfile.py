"""The crowd `make load` sends: players, partner systems and staff at once.

Players (signed-in members) open the home page, play a quiz of 5 to 8 questions with 1-3 s
to think over each, see their result, decide the consent it asks for, keep their answers and
look at their points. Partners take an OAuth token once, then read their customers'
preferences, report purchases under an Idempotency-Key and follow the changes feed. Staff
open the program dashboard and count a segment.

Every simulated person sends from an address of its own in 127.0.0.0/8, as people do from
theirs, so the per-address rate limits see people, not one load generator. Cookies travel as
a browser's would, in one header: with DEBUG off the server marks them Secure, which a
client of plain-HTTP loopback would otherwise never send back.

Needs LOAD_WORLD (the JSON `tests.load.world` writes); `python -m tests.load.run` starts it.
"""

import http.cookiejar
import itertools
import json
import os
import random
import re
import secrets
import uuid

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser
from locust.user.task import LOCUST_STATE_STOPPING
from requests.adapters import HTTPAdapter

WORLD = json.loads(open(os.environ["LOAD_WORLD"]).read())  # noqa: SIM115
_addresses = (f"127.2.{n // 250}.{n % 250 + 1}" for n in itertools.count())
_members = iter(WORLD["members"][int(os.environ.get("LOAD_MEMBER_OFFSET", "0")) :])
OPTION = re.compile(r'name="option"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="option"')
CONSENT_FORM = re.compile(r'<form class="consent-row__form".*?</form>', re.DOTALL)
DECIDE_URL = re.compile(r'action="(/me/consents/[\w-]+/decide/)"')


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class _Person(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.mount("http://", _FromAddress(next(_addresses)))
        self.client.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.headers: dict[str, str] = {}

    def _browser(self, session_key: str) -> None:
        csrf = secrets.token_hex(16)
        self.headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }

    def _call(self, method: str, url: str, name: str, expect: int, **kwargs):
        """One request, a failure unless it answers `expect`; None when it failed."""
        if self._state == LOCUST_STATE_STOPPING:
            # The run's time is up: leave between requests, not in the middle of one, which
            # would count as an error the site never made.
            raise StopUser
        headers = {**self.headers, **kwargs.pop("headers", {})}
        with self.client.request(
            method,
            url,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            timeout=30,
            **kwargs,
        ) as response:
            if response.status_code != expect:
                # Status 0: no answer at all; the error says why (refused, reset, timeout).
                response.failure(response.error or f"{response.status_code}, expected {expect}")
                return None
            response.success()
            return response


class Player(_Person):
    """A member playing one quiz after another; a new play starts a new quiz."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        super().on_start()
        self.member = next(_members, None)
        if self.member is None:
            raise RuntimeError("the world holds fewer members than players were started")
        self._browser(self.member)
        self.quizzes = itertools.cycle(random.sample(WORLD["quizzes"], len(WORLD["quizzes"])))

    def _think(self) -> None:
        gevent.sleep(random.uniform(1, 3))

    @task
    def play(self) -> None:
        quiz = next(self.quizzes)
        base = f"/c/{quiz['slug']}/"
        if not self._call("GET", "/", "GET home", 200):
            return
        if not self._call("GET", base, "GET quiz intro", 200):
            return
        self._think()
        if not self._call("POST", f"{base}start/", "POST start", 302):
            return
        for number in range(1, quiz["questions"] + 1):
            page = self._call("GET", f"{base}q/{number}/", "GET question", 200)
            if page is None:
                return
            options = [int(a or b) for a, b in OPTION.findall(page.text)]
            if not options:
                self._call("GET", f"{base}q/{number}/", "GET question (no options)", 0)
                return
            self._think()
            answered = self._call(
                "POST",
                f"{base}q/{number}/answer/",
                "POST answer",
                302,
                data={"option": random.choice(options)},
            )
            if answered is None:
                return
            # The answer's feedback (right or wrong, and why), where the redirect leads.
            if not self._call("GET", answered.headers["Location"], "GET feedback", 200):
                return
        result = self._call("GET", f"{base}result/", "GET result", 200)
        if result is None:
            return
        self._think()
        for form in CONSENT_FORM.findall(result.text)[:1]:
            # A grant under double opt-in mails a link; a load test does not send e-mail.
            decision = (
                "withdraw" if 'name="email"' in form else random.choice(["grant", "withdraw"])
            )
            self._call(
                "POST",
                DECIDE_URL.search(form).group(1),
                "POST consent decision",
                302,
                data={
                    "decision": decision,
                    "collection_point": f"campaign:{quiz['slug']}",
                    "next": f"{base}result/",
                },
            )
        if not self._call("POST", f"{base}finish/", "POST keep answers", 302):
            return
        self._call("GET", f"{base}done/", "GET done", 200)
        self._think()
        self._call("GET", "/me/points/", "GET my points", 200)


class Partner(_Person):
    """A partner's system: one token, then reads, purchases and the changes feed."""

    fixed_count = int(os.environ.get("LOAD_PARTNER_USERS", "4"))
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        super().on_start()
        self.partner = random.choice(WORLD["partners"])
        reply = self._call(
            "POST",
            "/api/oauth/token/",
            "POST api token",
            200,
            auth=(self.partner["client_id"], self.partner["secret"]),
            data={"grant_type": "client_credentials"},
        )
        token = reply.json()["access_token"] if reply is not None else ""
        self.headers = {"Authorization": f"Bearer {token}"}
        self.changes_url = "/api/v1/changes/"

    @task(5)
    def preferences(self) -> None:
        profile = random.choice(self.partner["profiles"])
        self._call("GET", f"/api/v1/profiles/{profile}/preferences/", "GET api preferences", 200)

    @task(2)
    def purchase(self) -> None:
        order = uuid.uuid4().hex
        self._call(
            "POST",
            "/api/v1/events/",
            "POST api event",
            201,
            json={
                "type": "purchase",
                "profile": random.choice(self.partner["profiles"]),
                "properties": {"order": order, "amount": 42.5},
            },
            headers={"Idempotency-Key": f"order-{order}"},
        )

    @task(1)
    def changes(self) -> None:
        reply = self._call("GET", self.changes_url, "GET api changes", 200)
        if reply is not None:
            self.changes_url = reply.json().get("next") or self.changes_url


class Staff(_Person):
    """An analyst past both factors, looking at the program and sizing a segment."""

    fixed_count = int(os.environ.get("LOAD_STAFF_USERS", "2"))
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self._browser(random.choice(WORLD["staff"]))
        self.urls = WORLD["staff_urls"]

    @task(2)
    def dashboard(self) -> None:
        self._call("GET", self.urls["dashboard"], "GET staff dashboard", 200)

    @task(1)
    def segment_count(self) -> None:
        self._call(
            "GET",
            self.urls["segment_count"],
            "GET staff segment count",
            200,
            params={"rule": self.urls["segment_rule"]},
            headers={"HX-Request": "true"},
        )
