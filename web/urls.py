from django.urls import path

from web.views import (
    accounts,
    calendar_feed,
    helper,
    helper_academy,
    helper_application,
    helper_chat,
    helper_conduct_test,
    helper_visits,
    manage,
    manage_conduct_test,
    manage_courses,
    manage_events,
    manage_figures,
    manage_safety,
    manage_vetting,
    manage_waivers,
    money,
    pages,
    pay_after,
    payouts,
    pwa,
    request_chat,
    requests,
)

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline", pwa.offline, name="offline"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar-feed"),
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
    path("requests/<uuid:public_id>/times", requests.request_other_times, name="request-times"),
    path(
        "requests/<uuid:public_id>/waivers",
        requests.booking_accept_waivers,
        name="booking-waivers",
    ),
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
    path(
        "requests/<uuid:public_id>/visit.ics",
        calendar_feed.visit_calendar,
        name="booking-calendar",
    ),
    path("requests/<uuid:public_id>/chat", request_chat.request_chat, name="request-chat"),
    path(
        "requests/<uuid:public_id>/chat/send",
        request_chat.request_chat_send,
        name="request-chat-send",
    ),
    path("requests/<uuid:public_id>/tip", requests.booking_tip, name="booking-tip"),
    path("requests/<uuid:public_id>/extra", requests.booking_extra, name="booking-extra"),
    path("requests/<uuid:public_id>/card", requests.booking_card, name="booking-card"),
    path(
        "requests/<uuid:public_id>/card/authenticated",
        requests.booking_card_authenticated,
        name="booking-card-authenticated",
    ),
    # Paying with TWINT (it cannot be held): chosen before the visit, paid right after it
    path("requests/<uuid:public_id>/pay", pay_after.pay_page, name="booking-pay"),
    path(
        "requests/<uuid:public_id>/pay/twint",
        pay_after.pay_choose_twint,
        name="booking-pay-choose-twint",
    ),
    path("requests/<uuid:public_id>/pay/start", pay_after.pay_start, name="booking-pay-start"),
    path("requests/<uuid:public_id>/pay/return", pay_after.pay_return, name="booking-pay-return"),
    path("requests/<uuid:public_id>/pay/tip", pay_after.pay_tip, name="booking-pay-tip"),
    path(
        "requests/<uuid:public_id>/pay/tip/return",
        pay_after.pay_tip_return,
        name="booking-pay-tip-return",
    ),
    path(
        "requests/<uuid:public_id>/safety-report",
        requests.booking_safety_report,
        name="booking-safety-report",
    ),
    path(
        "requests/<uuid:public_id>/block-helper",
        requests.booking_block_helper,
        name="booking-block-helper",
    ),
    path(
        "requests/<uuid:public_id>/unblock-helper",
        requests.booking_unblock_helper,
        name="booking-unblock-helper",
    ),
    # A visit's receipt, for its customer and its helper
    path("receipts/<uuid:public_id>/", money.receipt, name="receipt"),
    path("receipts/<uuid:public_id>/pdf", money.receipt_pdf, name="receipt-pdf"),
    # The helper's phone app
    path("helper/", helper.home, name="helper-home"),
    path("helper/apply", helper.apply, name="helper-apply"),
    path("helper/profile", helper.profile, name="helper-profile"),
    path("helper/application", helper_application.application, name="helper-application"),
    path(
        "helper/application/documents/<str:kind>",
        helper_application.document_add,
        name="helper-document-upload",
    ),
    path(
        "helper/application/submit",
        helper_application.application_submit,
        name="helper-application-submit",
    ),
    path(
        "helper/application/withdraw",
        helper_application.application_withdraw_view,
        name="helper-application-withdraw",
    ),
    path("helper/application/appeal", helper_application.appeal_add, name="helper-appeal"),
    path("helper/conduct-test", helper_conduct_test.conduct_test, name="helper-conduct-test"),
    path(
        "helper/conduct-test/start",
        helper_conduct_test.conduct_test_start,
        name="helper-conduct-test-start",
    ),
    path(
        "helper/conduct-test/<uuid:public_id>/submit",
        helper_conduct_test.conduct_test_submit,
        name="helper-conduct-test-submit",
    ),
    # The helper's academy: courses and quizzes, the training record, events
    path("helper/academy/", helper_academy.courses, name="helper-courses"),
    path("helper/academy/courses/<slug:slug>/", helper_academy.course, name="helper-course"),
    path(
        "helper/academy/courses/<slug:slug>/quiz",
        helper_academy.quiz_start,
        name="helper-quiz-start",
    ),
    path(
        "helper/academy/quiz/<uuid:public_id>/submit",
        helper_academy.quiz_submit,
        name="helper-quiz-submit",
    ),
    path("helper/academy/record", helper_academy.record, name="helper-training-record"),
    path("helper/academy/events/", helper_academy.events, name="helper-events"),
    path(
        "helper/academy/events/<uuid:public_id>/register",
        helper_academy.event_join,
        name="helper-event-register",
    ),
    path(
        "helper/academy/events/<uuid:public_id>/cancel",
        helper_academy.event_leave,
        name="helper-event-cancel",
    ),
    path(
        "helper/academy/calendar-feed",
        helper_academy.calendar_feed,
        name="helper-calendar-feed",
    ),
    path("helper/terms", helper.terms_accept, name="helper-terms"),
    path("helper/hours", helper.hours, name="helper-hours"),
    path("helper/hours/weekly", helper.hours_weekly, name="helper-hours-weekly"),
    path("helper/hours/time-off", helper.time_off_add, name="helper-time-off"),
    path(
        "helper/hours/time-off/<int:exception_id>/remove",
        helper.time_off_remove,
        name="helper-time-off-remove",
    ),
    path("helper/offers/<uuid:public_id>/accept", helper.offer_take, name="helper-offer-accept"),
    path(
        "helper/offers/<uuid:public_id>/decline", helper.offer_refuse, name="helper-offer-decline"
    ),
    path("helper/visits/", helper_visits.visits, name="helper-visits"),
    path("helper/earnings", money.earnings, name="helper-earnings"),
    # The helper's payout account (Stripe Express onboarding)
    path("helper/payouts", payouts.payouts, name="helper-payouts"),
    path("helper/payouts/onboard", payouts.payouts_onboard, name="helper-payouts-onboard"),
    path("helper/payouts/back", payouts.payouts_back, name="helper-payouts-back"),
    path("helper/earnings/<int:year>.csv", money.earnings_csv, name="helper-earnings-csv"),
    path("helper/earnings/<int:year>.pdf", money.earnings_pdf, name="helper-earnings-pdf"),
    path("helper/visits/<uuid:public_id>/", helper_visits.visit, name="helper-visit"),
    path("helper/visits/<uuid:public_id>/chat", helper_chat.chat, name="helper-chat"),
    path(
        "helper/visits/<uuid:public_id>/chat/send", helper_chat.chat_send, name="helper-chat-send"
    ),
    path("helper/visits/<uuid:public_id>/propose", helper_visits.propose, name="helper-propose"),
    path("helper/visits/<uuid:public_id>/on-my-way", helper_visits.on_my_way, name="helper-go"),
    path("helper/visits/<uuid:public_id>/arrived", helper_visits.arrived, name="helper-arrived"),
    path("helper/visits/<uuid:public_id>/done", helper_visits.done, name="helper-done"),
    path("helper/visits/<uuid:public_id>/no-show", helper_visits.no_show, name="helper-no-show"),
    path("helper/visits/<uuid:public_id>/refund", helper_visits.refund, name="helper-refund"),
    path("helper/visits/<uuid:public_id>/extra", helper_visits.extra, name="helper-extra"),
    path(
        "helper/visits/<uuid:public_id>/safety-report",
        helper_visits.safety_report,
        name="helper-safety-report",
    ),
    # The community manager's console
    path("manage/", manage.dashboard, name="manage"),
    path("manage/helpers/", manage.helpers, name="manage-helpers"),
    path("manage/helpers/<uuid:public_id>/", manage.helper_page, name="manage-helper"),
    path(
        "manage/helpers/<uuid:public_id>/approve",
        manage.helper_approve_view,
        name="manage-helper-approve",
    ),
    path(
        "manage/helpers/<uuid:public_id>/suspend",
        manage.helper_suspend_view,
        name="manage-helper-suspend",
    ),
    path(
        "manage/helpers/<uuid:public_id>/appeals/<uuid:appeal_id>/decide",
        manage.appeal_decide_view,
        name="manage-appeal-decide",
    ),
    path("manage/vetting/", manage_vetting.queue, name="manage-vetting"),
    path("manage/vetting/funnel", manage_vetting.funnel, name="manage-vetting-funnel"),
    path(
        "manage/vetting/<uuid:public_id>/",
        manage_vetting.application,
        name="manage-vetting-application",
    ),
    path(
        "manage/vetting/<uuid:public_id>/<str:decision>",
        manage_vetting.decide,
        name="manage-vetting-decide",
    ),
    path("manage/requests/", manage.requests, name="manage-requests"),
    path("manage/requests/<uuid:public_id>/", manage.request_page, name="manage-request"),
    path("manage/bookings/", manage_figures.bookings, name="manage-bookings"),
    path("manage/map/", manage_figures.map_page, name="manage-map"),
    path("manage/map/helpers.geojson", manage_figures.map_helpers, name="manage-map-helpers"),
    path("manage/map/requests.geojson", manage_figures.map_requests, name="manage-map-requests"),
    path("manage/disputes/", manage.disputes, name="manage-disputes"),
    path("manage/reports/", manage_safety.reports, name="manage-reports"),
    path(
        "manage/reports/<uuid:public_id>/decide",
        manage_safety.report_decide,
        name="manage-report-decide",
    ),
    path(
        "manage/conduct-test/",
        manage_conduct_test.conduct_test_versions,
        name="manage-conduct-test",
    ),
    path("manage/disputes/<uuid:public_id>/", manage.dispute, name="manage-dispute"),
    path(
        "manage/bookings/<uuid:public_id>/acceptances.json",
        manage_waivers.acceptances_export_json,
        name="manage-acceptances-json",
    ),
    path(
        "manage/bookings/<uuid:public_id>/acceptances.pdf",
        manage_waivers.acceptances_export_pdf,
        name="manage-acceptances-pdf",
    ),
    path("manage/courses/", manage_courses.courses, name="manage-courses"),
    path("manage/courses/<slug:slug>/", manage_courses.course_page, name="manage-course"),
    path(
        "manage/courses/<slug:slug>/requirements",
        manage_courses.course_requirements,
        name="manage-course-requirements",
    ),
    path(
        "manage/courses/<slug:slug>/draft", manage_courses.course_draft, name="manage-course-draft"
    ),
    path(
        "manage/courses/<slug:slug>/versions/<int:number>/",
        manage_courses.course_version,
        name="manage-course-version",
    ),
    path(
        "manage/courses/<slug:slug>/versions/<int:number>/write",
        manage_courses.course_version_write,
        name="manage-course-version-write",
    ),
    path(
        "manage/courses/<slug:slug>/versions/<int:number>/publish",
        manage_courses.course_version_publish_view,
        name="manage-course-version-publish",
    ),
    path("manage/events/", manage_events.events, name="manage-events"),
    path("manage/events/<uuid:public_id>/", manage_events.event_page, name="manage-event"),
    path(
        "manage/events/<uuid:public_id>/cancel",
        manage_events.event_cancel,
        name="manage-event-cancel",
    ),
    path(
        "manage/events/<uuid:public_id>/attendance",
        manage_events.event_attendance,
        name="manage-event-attendance",
    ),
    path(
        "manage/certification-gaps/",
        manage_events.certification_gaps,
        name="manage-certification-gaps",
    ),
    path("manage/waivers/", manage_waivers.waivers, name="manage-waivers"),
    path("manage/waivers/<slug:slug>/", manage_waivers.waiver, name="manage-waiver"),
    path(
        "manage/disputes/<uuid:public_id>/resolve",
        manage.dispute_resolve,
        name="manage-dispute-resolve",
    ),
    path(
        "manage/disputes/<uuid:public_id>/refund",
        manage.dispute_refund,
        name="manage-dispute-refund",
    ),
]
