"""A campaign framed by a brand's page on another site: played to its result, also with
third-party cookies blocked (the frame lives on partitioned cookies), and refused with a
clear page on a site the brand did not allow.

The brand's page is served by a tiny server on http://127.0.0.1:<port>; the live server is
http://localhost:<port>, another site, so the frame is cross-site as on a real shop."""

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import BrowserType, Frame, Page, expect

from apps.campaigns.models import Campaign
from apps.partners.models import EmbedOrigin
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.e2e.conftest import PHONE
from tests.e2e.tour import DESKTOP, SCREENSHOTS
from tests.partners.factories import PartnerClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

START = "Los geht\N{RIGHT SINGLE QUOTATION MARK}s"
# Chromium's setting "Block third-party cookies" (profile.cookie_controls_mode: 0 allows them,
# 1 blocks them) and its switch for the phase-out as a test: cross-site frames then get no
# unpartitioned cookies, only partitioned (CHIPS) ones. The setting decides: the switch
# alone does not override a profile that allows them.
ALLOW_THIRD_PARTY_COOKIES = 0
BLOCK_THIRD_PARTY_COOKIES = 1
PHASE_OUT_SWITCH = "--test-third-party-cookie-phaseout"


class _BrandSite(BaseHTTPRequestHandler):
    """The brand's page with the frame, and two probes on the same server: one sets a
    cross-site cookie, unpartitioned and partitioned, the other shows which came back."""

    frame_src = ""

    def do_GET(self) -> None:
        headers: list[tuple[str, str]] = []
        if self.path == "/":
            body = (
                "<!doctype html><meta name=viewport content='width=device-width'>"
                "<title>Snack Shop</title><h1>Snack Shop</h1>"
                f'<iframe title="Kampagne" src="{self.frame_src}" '
                'style="width:100%;height:720px;border:0"></iframe>'
            )
        elif self.path == "/probe":
            headers = [
                ("Set-Cookie", "plain=1; Path=/; SameSite=None; Secure"),
                ("Set-Cookie", "chips=1; Path=/; SameSite=None; Secure; Partitioned"),
            ]
            body = '<a href="/probe/echo">echo</a>'
        else:
            body = f"<p id=cookies>[{self.headers.get('Cookie', '')}]</p>"
        self.send_response(200)
        for name, value in [("Content-Type", "text/html; charset=utf-8"), *headers]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def brand_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BrandSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def quiz(settings) -> Campaign:
    # Development: the brand's page may be http on this machine.
    settings.DEBUG = True
    campaign = CampaignFactory(slug="snack-umfrage", kind=Campaign.Kind.SURVEY)
    for position, (question, answers) in enumerate(
        (("Süß oder salzig?", ("Süß", "Salzig")), ("Morgens oder abends?", ("Morgens", "Abends"))),
        start=1,
    ):
        asked = QuestionFactory(campaign=campaign, position=position, text_de=question)
        for order, label in enumerate(answers):
            OptionFactory(question=asked, position=order, label_de=label)
    return campaign


def _embed(brand_site: str, live_server, *, allowed: bool) -> None:
    if allowed:
        EmbedOrigin.objects.create(partner=PartnerClientFactory(), origin=brand_site)
    _BrandSite.frame_src = (
        f"{live_server.url}/embed/c/snack-umfrage/?host={brand_site}&lang=de&theme-brand=%23aa0000"
    )


def screenshot(page: Page, name: str) -> None:
    """The brand's page with the frame, as seen, at phone and desktop width."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        page.screenshot(path=folder / f"{name}-{size['width']}.png")
    page.set_viewport_size(PHONE)


def _frame(page: Page) -> Frame:
    return next(frame for frame in page.frames if "/embed/" in frame.url)


def _play_to_result(page: Page, *, shots: str = "") -> None:
    frame = page.frame_locator("iframe[title=Kampagne]")
    frame.get_by_role("button", name=START).click()
    expect(frame.get_by_text("Süß oder salzig?")).to_be_visible()
    if shots:
        screenshot(page, shots)
    frame.get_by_label("Salzig", exact=True).check()
    frame.get_by_role("button", name="Weiter").click()
    frame.get_by_label("Abends", exact=True).check()
    frame.get_by_role("button", name="Fertig").click()
    expect(frame.locator("#player")).to_have_count(0)
    assert re.search(r"/embed/(s/[^/]+/)?c/snack-umfrage/(result|done)/", _frame(page).url)


def _cookies_sent_cross_site(page: Page, brand_site: str) -> str:
    """Frame a probe on the brand server under another site name (localhost), let it set its
    cookies, then ask it which it got back inside the frame."""
    probe = brand_site.replace("127.0.0.1", "localhost")
    page.evaluate(
        "src => { const f = document.createElement('iframe'); f.id = 'probe'; f.src = src;"
        " document.body.append(f); }",
        f"{probe}/probe",
    )
    probe_frame = page.frame_locator("#probe")
    probe_frame.get_by_role("link", name="echo").click()
    return probe_frame.locator("#cookies").inner_text()


def test_a_campaign_plays_to_its_result_in_a_frame_on_the_brands_site(
    live_server, brand_site: str, quiz, page: Page, console_errors
):
    _embed(brand_site, live_server, allowed=True)

    page.goto(brand_site)

    frame = page.frame_locator("iframe[title=Kampagne]")
    expect(frame.get_by_role("heading", level=1)).to_be_visible()
    # The entry's parameters are gone from the frame's address; the theme came along.
    assert _frame(page).url == f"{live_server.url}/embed/c/snack-umfrage/"
    expect(frame.locator("body")).to_have_attribute("data-embed-host", brand_site)
    expect(frame.locator("link[href='/embed/theme.css']")).to_have_count(1)
    _play_to_result(page, shots="embed-question")
    # Chromium refuses autofocus in a cross-site frame, and says so; the page works on.
    assert [error for error in console_errors if "Blocked autofocusing" not in error] == []


def _launch_profile(
    browser_type: BrowserType, launch_args: dict, folder: Path, cookies: int, *, none: bool = False
):
    """A browser with an ordinary profile set to allow or block third-party cookies (or,
    with `none`, every cookie). Playwright's usual contexts are incognito ones, where
    Chromium blocks third-party cookies anyway (so the other tests here play so too)."""
    (folder / "Default").mkdir()
    preferences: dict = {"profile": {"cookie_controls_mode": cookies}}
    if none:
        preferences["profile"]["default_content_setting_values"] = {"cookies": 2}
    (folder / "Default" / "Preferences").write_text(json.dumps(preferences))
    args = [*launch_args["args"], PHASE_OUT_SWITCH]
    return browser_type.launch_persistent_context(
        folder, **{**launch_args, "args": args}, viewport=PHONE
    )


def test_with_third_party_cookies_blocked_the_frame_plays_on_partitioned_cookies(
    live_server,
    brand_site: str,
    quiz,
    browser_type: BrowserType,
    browser_type_launch_args,
    tmp_path,
):
    _embed(brand_site, live_server, allowed=True)
    context = _launch_profile(
        browser_type, browser_type_launch_args, tmp_path, BLOCK_THIRD_PARTY_COOKIES
    )
    try:
        page = context.new_page()
        page.goto(brand_site)

        # The switch really blocks: an unpartitioned cross-site cookie is not sent back.
        sent = _cookies_sent_cross_site(page, brand_site)
        assert "chips=1" in sent
        assert "plain=1" not in sent
        _play_to_result(page)
    finally:
        context.close()


def test_with_third_party_cookies_allowed_the_probe_gets_both_cookies(
    live_server, brand_site: str, browser_type: BrowserType, browser_type_launch_args, tmp_path
):
    """The control for the test above: the same probe in the same kind of browser."""
    _BrandSite.frame_src = "about:blank"
    context = _launch_profile(
        browser_type, browser_type_launch_args, tmp_path, ALLOW_THIRD_PARTY_COOKIES
    )
    try:
        page = context.new_page()
        page.goto(brand_site)

        sent = _cookies_sent_cross_site(page, brand_site)
        assert "plain=1" in sent
        assert "chips=1" in sent
    finally:
        context.close()


def test_a_browser_that_keeps_no_cookie_at_all_plays_with_the_session_in_the_address(
    live_server,
    brand_site: str,
    quiz,
    browser_type: BrowserType,
    browser_type_launch_args,
    tmp_path,
):
    _embed(brand_site, live_server, allowed=True)
    context = _launch_profile(
        browser_type, browser_type_launch_args, tmp_path, BLOCK_THIRD_PARTY_COOKIES, none=True
    )
    try:
        page = context.new_page()
        page.goto(brand_site)

        assert "chips=1" not in _cookies_sent_cross_site(page, brand_site)
        _play_to_result(page)
        assert "/embed/s/" in _frame(page).url
    finally:
        context.close()


def test_a_site_the_brand_did_not_allow_shows_a_clear_page_in_the_frame(
    live_server, brand_site: str, quiz, page: Page
):
    _embed(brand_site, live_server, allowed=False)

    page.goto(brand_site)

    frame = page.frame_locator("iframe[title=Kampagne]")
    expect(frame.get_by_role("heading", name="Diese Website darf diese Kampagne nicht zeigen"))
    expect(frame.get_by_text(brand_site)).to_be_visible()
    screenshot(page, "embed-not-allowed")
