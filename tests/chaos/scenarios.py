"""The scenarios: each does its damage, loads the site, and returns one line of figures with
PASS or FAIL. The world (partner, members, surveys) was built before gunicorn started."""

import http.cookiejar
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from tests.chaos import data
from tests.chaos.services import STOP
from tests.loopback import FromAddress

# The project's own error pages carry this; Django's bare "Server Error (500)" does not.
ERROR_PAGE_MARK = 'data-error-page="'
PROBLEM_JSON = "application/problem+json"


@dataclass
class Outcome:
    name: str
    passed: bool
    figures: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.figures}"


@dataclass
class Reply:
    status: int  # 0: no answer at all (connection refused, timeout)
    explained: bool  # a 5xx with the project's page or a problem+json


def _reply(response: requests.Response | None) -> Reply:
    if response is None:
        return Reply(0, False)
    explained = PROBLEM_JSON in response.headers.get("Content-Type", "") or (
        ERROR_PAGE_MARK in response.text
    )
    return Reply(response.status_code, explained)


_clients = threading.local()


def _client(address: str) -> requests.Session:
    """One connection pool per thread and customer address; cookies only as the caller
    sends them (a browser's, from `data.Browser`)."""
    sessions = _clients.__dict__.setdefault("sessions", {})
    if address not in sessions:
        session = requests.Session()
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.mount("http://", FromAddress(address))
        sessions[address] = session
    return sessions[address]


def send(method: str, url: str, *, address: str = "127.0.0.1", **kwargs) -> Reply:
    try:
        response = _client(address).request(
            method, url, allow_redirects=False, timeout=30, **kwargs
        )
    except requests.RequestException:
        return _reply(None)
    return _reply(response)


def wait_until(check: Callable[[], bool], timeout: float, step: float = 1.0) -> float | None:
    """Seconds until `check` held, or None when it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout and not STOP.is_set():
        try:
            if check():
                return time.monotonic() - started
        except Exception:
            pass
        time.sleep(step)
    return None


def statuses(replies: list[Reply]) -> str:
    counts = Counter(reply.status for reply in replies)
    return " ".join(f"{status}x{count}" for status, count in sorted(counts.items()))


def five_hundreds(replies: list[Reply]) -> int:
    return sum(1 for reply in replies if reply.status >= 500 or reply.status == 0)


# 1 ------------------------------------------------------------------------------------------
def idempotent_burst(base: str, partner: data.Partner, partner_key: str, burst: int) -> Outcome:
    token_reply = requests.post(
        f"{base}/api/oauth/token/",
        data={"grant_type": "client_credentials", "scope": "events:write"},
        auth=(partner.client_id, partner.secret),
        timeout=30,
    )
    token = token_reply.json()["access_token"]
    key = f"chaos-{uuid.uuid4()}"
    body = {"type": data.EVENT_TYPE, "profile": partner.profile_public_id, "properties": {}}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    barrier = threading.Barrier(burst)

    def one(_number: int) -> Reply:
        barrier.wait(timeout=60)
        return send("POST", f"{base}/api/v1/events/", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=burst) as pool:
        replies = list(pool.map(one, range(burst)))
    credits, outbox = data.partner_event_figures(partner, partner_key, key)
    errors = five_hundreds(replies)
    passed = credits == 1 and outbox == 1 and errors == 0
    return Outcome(
        "1 idempotent burst",
        passed,
        f"{burst} POSTs, one key [{statuses(replies)}]; credits={credits} outbox={outbox} "
        f"5xx={errors}",
    )


# 2 ------------------------------------------------------------------------------------------
def reward_race(base: str, members: list[data.Browser], reward_id: int, stock: int) -> Outcome:
    barrier = threading.Barrier(len(members))

    def one(member: data.Browser) -> Reply:
        barrier.wait(timeout=60)
        return send(
            "POST",
            f"{base}/me/points/rewards/{reward_id}/",
            data={"key": str(uuid.uuid4())},
            headers=member.headers,
            address=member.address,
        )

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        replies = list(pool.map(one, members))
    redeemed, left = data.reward_figures(reward_id)
    succeeded = sum(1 for reply in replies if reply.status == 302)
    errors = five_hundreds(replies)
    passed = redeemed == stock and succeeded == stock and left == 0 and errors == 0
    return Outcome(
        "2 reward race",
        passed,
        f"{len(members)} members, stock {stock} [{statuses(replies)}]; redemptions={redeemed} "
        f"stock left={left} 5xx={errors}",
    )


# 3, 5: customers playing --------------------------------------------------------------------
def play(base: str, survey: data.Survey, *, retry_until: float | None = None) -> list[Reply]:
    """Every player answers every question in turn; with `retry_until`, a failed answer is
    sent again (as a customer taps again) until it is taken or time is up."""

    def one(player: data.Browser) -> list[Reply]:
        replies = []
        for number, option_id in enumerate(survey.option_ids, start=1):
            while True:
                reply = send(
                    "POST",
                    f"{base}/c/{survey.slug}/q/{number}/answer/",
                    data={"option": option_id},
                    headers=player.headers,
                    address=player.address,
                )
                replies.append(reply)
                if reply.status in (200, 302) or retry_until is None or STOP.is_set():
                    break
                if time.monotonic() > retry_until:
                    break
                time.sleep(0.5)
        return replies

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [reply for replies in pool.map(one, survey.players) for reply in replies]


def consent_changes(base: str, visitors: list[data.Browser]) -> list[Reply]:
    """Each visitor says yes, then no, to personalisation: two consent events each."""

    def one(visitor: data.Browser) -> list[Reply]:
        return [
            send(
                "POST",
                f"{base}/me/consents/personalization/decide/",
                data={"decision": decision},
                headers=visitor.headers,
                address=visitor.address,
            )
            for decision in ("grant", "withdraw")
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [reply for replies in pool.map(one, visitors) for reply in replies]
