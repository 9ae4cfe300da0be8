"""A scripted player over HTTP, as a farming script would be: a fresh test Client plays a
campaign through the site's forms, answering whatever each question asks."""

from django.test import Client
from django.urls import reverse

from apps.campaigns.models import Campaign, Participation, Question
from apps.campaigns.selectors import next_unanswered_number, question_at
from apps.profiles.selectors import SESSION_KEY
from apps.profiles.services import sign_in_link_request, sign_in_token
from apps.profiles.sessions import SIGN_IN_NONCE_KEY


def _answer(question: Question) -> dict:
    if question.kind in (Question.Kind.SCALE, Question.Kind.MOOD, Question.Kind.NUMBER):
        return {"value": question.scale_min}
    if question.kind == Question.Kind.TEXT:
        return {"text": "Salzig"}
    return {"option": question.options.order_by("position")[0].pk}


def play_over_http(client: Client, campaign: Campaign) -> Participation | None:
    """Start, answer every question on the player's way, open the result and press Done.
    The finished play, or None when the site let it not start."""
    client.post(reverse("campaigns:start", args=[campaign.slug]))
    profile_id = client.session.get(SESSION_KEY)
    if profile_id is None:
        return None
    plays = Participation.objects.filter(campaign=campaign, profile_id=profile_id)
    participation = plays.order_by("-round").first()
    if participation is None:
        return None
    for _step in range(50):
        participation.refresh_from_db()
        if participation.is_completed:
            break
        number = next_unanswered_number(participation=participation)
        question = question_at(campaign=campaign, number=number)
        client.post(reverse("campaigns:answer", args=[campaign.slug, number]), _answer(question))
    client.get(reverse("campaigns:result", args=[campaign.slug]))
    client.post(reverse("campaigns:finish", args=[campaign.slug]))
    return participation


def sign_in(client: Client, email: str) -> None:
    """Open a magic link asked for in this browser (bound to it, as the sign-in form does)."""
    session = client.session
    session[SIGN_IN_NONCE_KEY] = "this-browser"
    session.save()
    link = sign_in_link_request(email=email, language="de", browser_nonce="this-browser")
    client.post(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))
