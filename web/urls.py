from django.urls import path

from web.views import accounts, pages, requests

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("language", pages.switch_language, name="language"),
    path("localities", pages.locality_suggestions, name="localities"),
    path("sign-up", accounts.sign_up, name="sign-up"),
    path("verify-email", accounts.verify_email, name="verify-email"),
    path("log-in", accounts.log_in, name="log-in"),
    path("log-out", accounts.log_out, name="log-out"),
    path("password-reset", accounts.password_reset, name="password-reset"),
    path("password", accounts.password_change, name="password-change"),
    path("profile", accounts.profile, name="profile"),
    path("requests/", requests.history, name="history"),
    path("requests/new", requests.request_new, name="request-new"),
    path("requests/<uuid:public_id>/", requests.request_detail, name="request"),
    path("requests/<uuid:public_id>/withdraw", requests.request_withdraw, name="request-withdraw"),
    path(
        "requests/<uuid:public_id>/confirm", requests.booking_confirm_time, name="booking-confirm"
    ),
    path(
        "requests/<uuid:public_id>/new-times", requests.booking_new_times, name="booking-new-times"
    ),
    path("requests/<uuid:public_id>/cancel", requests.booking_cancel_visit, name="booking-cancel"),
    path(
        "requests/<uuid:public_id>/sign-off",
        requests.booking_sign_off_visit,
        name="booking-sign-off",
    ),
    path(
        "requests/<uuid:public_id>/dispute", requests.booking_dispute_visit, name="booking-dispute"
    ),
    path("requests/<uuid:public_id>/review", requests.booking_review, name="booking-review"),
]
