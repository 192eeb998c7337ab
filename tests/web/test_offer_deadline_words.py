"""The offer card's sentence agrees with the countdown beside it: with 4 min 41 s left it says
"Answer within 5 minutes", where Django's timeuntil rounded the minutes down to 4."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from tests.factories import UserFactory, make_helper, pending_offer, post_request
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "left", "said"),
    [
        ("en", timedelta(minutes=4, seconds=41), "Answer within 5\xa0minutes"),
        ("de", timedelta(minutes=4, seconds=41), "Antworten Sie innert 5\xa0Minuten"),
        ("fr", timedelta(minutes=4, seconds=41), "Répondez dans les 5\xa0minutes"),
        ("it", timedelta(minutes=4, seconds=41), "Risponda entro 5\xa0minuti"),
        ("en", timedelta(minutes=5), "Answer within 5\xa0minutes"),
        ("en", timedelta(seconds=1), "Answer within 1\xa0minute"),
        ("de", timedelta(minutes=29, seconds=59), "Antworten Sie innert 30\xa0Minuten"),
    ],
)
def test_the_time_to_answer_rounds_the_minutes_up(client, language, left, said):
    # Given an offer waiting for the helper's answer
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    _logged_in(client, helper.user, language)

    # When the helper looks at it with `left` to go
    with time_machine.travel(offer.expires_at - left, tick=False):
        html = client.get("/helper/").content.decode()

    # Then the sentence counts every minute begun, as the countdown shows them
    assert [
        sentence.split(" (")[0] for sentence in re.findall(r'<p class="deadline">([^<]*) <', html)
    ] == [said]
