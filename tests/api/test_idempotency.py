"""Every mutating API call accepts an `Idempotency-Key` (mobile_api.idempotency): the same
key and request give the first answer again without doing the work again; another request
under the key is refused; keys are per user and kept 24 hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.views import APIView

from backend import clock
from backend.models import OutboxEvent
from bookings.models import Booking, BookingEvent, Offer, OfferStatus
from helpers.models import ApprovalStatus, HelperDocument, HelperProfile
from mobile_api.idempotency import IdempotencyKeyStep, idempotency_applies
from mobile_api.views.offers import OfferAcceptApi
from payments.idempotency import KEPT_FOR, idempotent_requests_expire
from payments.models import IdempotentRequest
from payments.tasks import idempotency_keys_expire, schedule_key_expiry
from tests.api.api_assertions import openapi_schema
from tests.concurrency import race
from tests.factories import (
    PDF_BYTES,
    ZURICH,
    UserFactory,
    make_helper,
    offset,
    pending_offer,
    post_request,
)

API = "/api/v1"


def _as(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _accept(client: APIClient, offer: Offer, key: str) -> Any:
    return client.post(f"{API}/offers/{offer.public_id}/accept", headers={"Idempotency-Key": key})


def _counts() -> tuple[int, int, int, int]:
    return (
        Booking.objects.count(),
        BookingEvent.objects.count(),
        OutboxEvent.objects.count(),
        Offer.objects.filter(status=OfferStatus.ACCEPTED).count(),
    )


@pytest.mark.django_db
def test_an_accept_replayed_with_the_same_key_does_the_work_once():
    # Given a helper with a pending offer, who accepted it once with a key
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    client = _as(helper.user)
    first = _accept(client, offer, "accept-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first.headers
    after_first = _counts()
    assert after_first[0] == 1
    assert after_first[3] == 1

    # When the phone sends the same accept again (its answer was lost)
    again = _accept(client, offer, "accept-1")

    # Then it gets the first answer again, and nothing more was done
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _counts() == after_first
    record = IdempotentRequest.objects.get()
    assert (record.user_id, record.key, record.status_code) == (helper.user.pk, "accept-1", 201)
    assert record.endpoint == f"POST {API}/offers/{offer.public_id}/accept"


@pytest.mark.django_db
def test_without_a_key_a_second_accept_is_refused_as_before():
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    client = _as(helper.user)
    assert client.post(f"{API}/offers/{offer.public_id}/accept").status_code == 201
    after_first = _counts()

    second = client.post(f"{API}/offers/{offer.public_id}/accept")

    assert second.status_code == 409
    assert _counts() == after_first
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused_and_changes_nothing():
    # Given a helper who accepted one offer under a key, and has another pending offer
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    other = pending_offer(post_request(UserFactory(), point=offset(ZURICH, east_m=300)), helper)
    assert offer is not None
    assert other is not None
    client = _as(helper.user)
    assert _accept(client, offer, "k").status_code == 201
    before = _counts()

    # When the same key comes with another request (another offer; another body)
    refused = _accept(client, other, "k")
    declined = client.post(
        f"{API}/offers/{offer.public_id}/decline",
        {"reason": ""},
        format="json",
        headers={"Idempotency-Key": "k"},
    )

    # Then both are refused with 422 and nothing changed
    for answer in (refused, declined):
        assert answer.status_code == 422
        assert answer.json()["code"] == "idempotency_key_reused"
    assert _counts() == before
    other.refresh_from_db()
    assert other.status == OfferStatus.PENDING
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_key_over_200_characters_is_refused_not_cut_and_changes_nothing():
    # Given two helpers' pending offers, one accepted under a key of exactly 200 characters
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    other = pending_offer(post_request(UserFactory(), point=offset(ZURICH, east_m=300)), helper)
    assert offer is not None
    assert other is not None
    client = _as(helper.user)
    assert _accept(client, offer, "k" * 200).status_code == 201
    before = _counts()

    # When the other offer is accepted under a key that only adds a character to it
    refused = _accept(client, other, "k" * 200 + "2")

    # Then the key is refused (it would have met the first one, cut), and nothing changed
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "max_length",
        "message": "At most 200 characters.",
        "fields": {"Idempotency-Key": ["At most 200 characters."]},
    }
    assert _counts() == before
    other.refresh_from_db()
    assert other.status == OfferStatus.PENDING
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["k" * 200]
    assert "max_length" in _codes(
        openapi_schema()["paths"]["/api/v1/offers/{offer_id}/accept"]["post"], 400
    )


@pytest.mark.django_db
def test_another_body_under_the_same_key_is_refused():
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    client = _as(helper.user)
    url = f"{API}/offers/{offer.public_id}/decline"
    first = client.post(url, {"reason": ""}, format="json", headers={"Idempotency-Key": "d"})
    assert first.status_code == 200, first.content

    other = client.post(
        url, {"reason": "", "note": "Busy"}, format="json", headers={"Idempotency-Key": "d"}
    )
    same = client.post(url, {"reason": ""}, format="json", headers={"Idempotency-Key": "d"})

    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert same.status_code == 200
    assert same.json() == first.json()
    offer.refresh_from_db()
    assert (offer.status, offer.decline_note) == (OfferStatus.DECLINED, "")


@pytest.mark.django_db
def test_two_users_same_key_never_meet():
    # Given two helpers, each with an offer of their own
    first_helper = make_helper()
    second_helper = make_helper(point=offset(ZURICH, east_m=20_000))
    first_offer = pending_offer(post_request(UserFactory()), first_helper)
    second_offer = pending_offer(
        post_request(UserFactory(), point=offset(ZURICH, east_m=20_000)), second_helper
    )
    assert first_offer is not None
    assert second_offer is not None

    # When both accept with the same key
    first = _accept(_as(first_helper.user), first_offer, "same-key")
    second = _accept(_as(second_helper.user), second_offer, "same-key")

    # Then each did their own work
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()["id"] != second.json()["id"]
    assert Booking.objects.count() == 2
    assert IdempotentRequest.objects.filter(key="same-key").count() == 2


@pytest.mark.django_db
def test_a_refusal_is_an_answer_kept_and_given_again():
    # Given an offer another helper already won
    winner, loser = make_helper(), make_helper(point=offset(ZURICH, east_m=500))
    help_request = post_request(UserFactory())
    won = pending_offer(help_request, winner)
    lost = Offer.objects.get(help_request=help_request, helper=loser)
    assert won is not None
    assert _accept(_as(winner.user), won, "w").status_code == 201
    before = _counts()

    refused = _accept(_as(loser.user), lost, "l")
    again = _accept(_as(loser.user), lost, "l")

    assert refused.status_code == again.status_code == 409
    assert again.json() == refused.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _counts() == before


@pytest.mark.django_db
def test_a_server_error_frees_the_key_for_another_try():
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    client = _as(helper.user)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("an unexpected failure")

    with mock.patch.object(OfferAcceptApi, "post", fail):
        broken = _accept(client, offer, "retry")
    assert broken.status_code == 500
    assert IdempotentRequest.objects.count() == 0
    assert Booking.objects.count() == 0

    retried = _accept(client, offer, "retry")
    assert retried.status_code == 201
    assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_kept_24_hours_then_swept_by_the_worker():
    # Given an accept under a key
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    assert _accept(_as(helper.user), offer, "old").status_code == 201
    record = IdempotentRequest.objects.get()

    # Then just before 24 hours it stays; after, the worker's sweep removes it
    assert idempotent_requests_expire(now=record.created_at + KEPT_FOR - timedelta(seconds=1)) == 0
    assert IdempotentRequest.objects.count() == 1
    IdempotentRequest.objects.update(created_at=clock.now() - KEPT_FOR - timedelta(seconds=1))
    young = IdempotentRequest.objects.create(
        user=helper.user, key="young", endpoint="POST /x", body_hash="0" * 64
    )
    assert idempotency_keys_expire.call() == 1
    assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [young.pk]


@pytest.mark.django_db
def test_a_key_older_than_24_hours_is_free_again_even_before_the_sweep():
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    client = _as(helper.user)
    assert _accept(client, offer, "k").status_code == 201
    IdempotentRequest.objects.update(created_at=clock.now() - KEPT_FOR - timedelta(seconds=1))

    again = _accept(client, offer, "k")

    # The accept is done again (and refused: the offer is taken), not replayed
    assert again.status_code == 409
    assert "Idempotent-Replayed" not in again.headers
    assert IdempotentRequest.objects.get().status_code == 409


@pytest.mark.django_db
def test_the_sweep_queues_its_next_run_once():
    at = schedule_key_expiry()
    assert schedule_key_expiry() == at
    assert at > clock.now()


def _views() -> list[type[APIView]]:
    found: list[type[APIView]] = []

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "view_class", None)
                if cls is not None and issubclass(cls, APIView):
                    found.append(cls)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_view_with_a_mutating_method_reads_the_key_through_the_one_step():
    views = _views()
    mutating = [
        cls
        for cls in views
        if any(hasattr(cls, method) for method in ("post", "put", "patch", "delete"))
    ]
    assert len(mutating) > 40
    assert [cls.__name__ for cls in mutating if not issubclass(cls, IdempotencyKeyStep)] == []


def test_the_schema_documents_the_header_on_every_mutating_operation_of_a_signed_in_user():
    schema = openapi_schema()
    documented, missing = 0, []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch", "delete"}:
                continue
            public = "not_authenticated" not in _codes(operation, 401)
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            has_codes = "idempotency_key_reused" in _codes(operation, 422)
            if public:
                assert "Idempotency-Key" not in names, (method, path)
                continue
            if "Idempotency-Key" in names and has_codes:
                documented += 1
            else:
                missing.append((method, path))
    assert missing == []
    # Every signed-in mutating operation of the API (53 when the header came; more since).
    assert documented >= 53


def _codes(operation: dict[str, Any], status: int) -> set[str]:
    response = operation["responses"].get(str(status))
    if response is None:
        return set()
    schema = response["content"]["application/json"]["schema"]
    return set(schema["allOf"][1]["properties"]["code"]["enum"])


def test_public_operations_ignore_the_header():
    from mobile_api.views.accounts import TokenApi

    assert not idempotency_applies(TokenApi(), "POST")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_the_same_key_do_the_work_once():
    # Given a helper with a pending offer
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory()), helper)
    assert offer is not None
    events_before = BookingEvent.objects.count()

    # When eight copies of the same accept arrive at once under one key
    outcomes = race([lambda: _accept(_as(helper.user), offer, "race") for _ in range(8)])
    assert [outcome for outcome in outcomes if outcome[0] != "ok"] == []
    answers = [answer for _, answer in outcomes]

    # Then the work was done once: one booking, one accepted offer, one booking's events;
    # one copy answered 201, each other either the same answer again or "still running"
    assert Booking.objects.count() == 1
    assert Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    assert BookingEvent.objects.count() - events_before == 1
    created = [a for a in answers if a.status_code == 201]
    assert len(created) >= 1
    assert len([a for a in created if "Idempotent-Replayed" not in a.headers]) == 1
    assert {a.json()["id"] for a in created} == {str(Booking.objects.get().public_id)}
    others = [a for a in answers if a.status_code != 201]
    assert {(a.status_code, a.json()["code"]) for a in others} <= {
        (409, "idempotency_request_in_progress")
    }
    assert IdempotentRequest.objects.get().status_code == 201


@pytest.mark.django_db
def test_an_upload_replayed_with_the_same_key_is_stored_once_and_another_file_is_refused():
    # Given an applicant uploading a document under a key
    helper = make_helper()
    HelperProfile.objects.filter(pk=helper.pk).update(approval_status=ApprovalStatus.APPLIED)
    client = _as(helper.user)
    url = f"{API}/helper/application/documents"
    issued = (timezone.localdate() - timedelta(days=20)).isoformat()

    def send(content: bytes) -> Any:
        data = {
            "kind": "criminal_record_extract",
            "file": SimpleUploadedFile("extract.pdf", content, content_type="application/pdf"),
            "issued_on": issued,
        }
        return client.post(url, data, format="multipart", headers={"Idempotency-Key": "up"})

    first = send(PDF_BYTES)
    assert first.status_code == 201, first.content

    # When the same upload comes again, and then another file under the same key
    again = send(PDF_BYTES)
    other = send(PDF_BYTES.replace(b"%%EOF", b"% another\n%%EOF"))

    # Then the first is given again, the other refused, and one document is stored
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert HelperDocument.objects.filter(helper=helper).count() == 1
