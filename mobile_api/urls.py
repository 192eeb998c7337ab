"""The versioned public API: /api/v1/…"""

from django.urls import path, re_path

from mobile_api.errors import api_not_found
from mobile_api.views import (
    accounts,
    bookings,
    helpers,
    manager,
    offers,
    passwords,
    payments,
    realtime,
    requests,
    safety,
)

urlpatterns = [
    # Accounts
    path("auth/register", accounts.RegisterApi.as_view(), name="auth-register"),
    path("auth/verify-email", accounts.VerifyEmailApi.as_view(), name="auth-verify-email"),
    path("auth/token", accounts.TokenApi.as_view(), name="auth-token"),
    path("auth/logout", accounts.LogoutApi.as_view(), name="auth-logout"),
    path("auth/password-reset", passwords.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm",
        passwords.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("devices", accounts.DeviceListApi.as_view(), name="devices"),
    path("devices/<uuid:device_id>", accounts.DeviceRevokeApi.as_view(), name="device"),
    path("me", accounts.MeApi.as_view(), name="me"),
    path("me/password", passwords.PasswordChangeApi.as_view(), name="me-password"),
    # Catalogue
    path("categories", helpers.CategoryListApi.as_view(), name="categories"),
    # Being a helper
    path("helper/profile", helpers.HelperProfileApi.as_view(), name="helper-profile"),
    path(
        "helper/availability/weekly", helpers.WeeklyAvailabilityApi.as_view(), name="helper-weekly"
    ),
    path(
        "helper/availability/exceptions",
        helpers.AvailabilityExceptionListApi.as_view(),
        name="helper-exceptions",
    ),
    path(
        "helper/availability/exceptions/<int:exception_id>",
        helpers.AvailabilityExceptionDetailApi.as_view(),
        name="helper-exception",
    ),
    # Help requests (customers)
    path("help-requests", requests.HelpRequestListApi.as_view(), name="help-requests"),
    path(
        "help-requests/<uuid:request_id>",
        requests.HelpRequestDetailApi.as_view(),
        name="help-request",
    ),
    path(
        "help-requests/<uuid:request_id>/withdraw",
        requests.HelpRequestWithdrawApi.as_view(),
        name="help-request-withdraw",
    ),
    # Offers (helpers)
    path("offers", offers.OfferListApi.as_view(), name="offers"),
    path("offers/<uuid:offer_id>", offers.OfferDetailApi.as_view(), name="offer"),
    path("offers/<uuid:offer_id>/accept", offers.OfferAcceptApi.as_view(), name="offer-accept"),
    path("offers/<uuid:offer_id>/decline", offers.OfferDeclineApi.as_view(), name="offer-decline"),
    # Live updates: the event stream, a booking's chat, push subscriptions
    path("events", realtime.EventListApi.as_view(), name="events"),
    path(
        "bookings/<uuid:booking_id>/messages",
        realtime.ChatMessageListApi.as_view(),
        name="booking-messages",
    ),
    path(
        "bookings/<uuid:booking_id>/messages/read",
        realtime.ChatReadApi.as_view(),
        name="booking-messages-read",
    ),
    path("push-subscriptions", realtime.PushSubscriptionApi.as_view(), name="push-subscriptions"),
    path(
        "push-subscriptions/remove",
        realtime.PushSubscriptionRemoveApi.as_view(),
        name="push-subscriptions-remove",
    ),
    # Bookings (both sides, and the manager)
    path("bookings", bookings.BookingListApi.as_view(), name="bookings"),
    path("bookings/<uuid:booking_id>", bookings.BookingDetailApi.as_view(), name="booking"),
    path(
        "bookings/<uuid:booking_id>/propose",
        bookings.BookingProposeApi.as_view(),
        name="booking-propose",
    ),
    path(
        "bookings/<uuid:booking_id>/confirm",
        bookings.BookingConfirmApi.as_view(),
        name="booking-confirm",
    ),
    path(
        "bookings/<uuid:booking_id>/request-new-times",
        bookings.BookingRequestNewTimesApi.as_view(),
        name="booking-request-new-times",
    ),
    path(
        "bookings/<uuid:booking_id>/cancel",
        bookings.BookingCancelApi.as_view(),
        name="booking-cancel",
    ),
    path(
        "bookings/<uuid:booking_id>/no-show",
        bookings.BookingNoShowApi.as_view(),
        name="booking-no-show",
    ),
    path(
        "bookings/<uuid:booking_id>/on-my-way",
        bookings.BookingOnMyWayApi.as_view(),
        name="booking-on-my-way",
    ),
    path(
        "bookings/<uuid:booking_id>/check-in",
        bookings.BookingCheckInApi.as_view(),
        name="booking-check-in",
    ),
    path(
        "bookings/<uuid:booking_id>/check-out",
        bookings.BookingCheckOutApi.as_view(),
        name="booking-check-out",
    ),
    path(
        "bookings/<uuid:booking_id>/sign-off",
        bookings.BookingSignOffApi.as_view(),
        name="booking-sign-off",
    ),
    path(
        "bookings/<uuid:booking_id>/dispute",
        bookings.BookingDisputeApi.as_view(),
        name="booking-dispute",
    ),
    path(
        "bookings/<uuid:booking_id>/resolve-dispute",
        bookings.BookingResolveDisputeApi.as_view(),
        name="booking-resolve-dispute",
    ),
    path(
        "bookings/<uuid:booking_id>/events",
        bookings.BookingEventListApi.as_view(),
        name="booking-events",
    ),
    path(
        "bookings/<uuid:booking_id>/reviews",
        bookings.BookingReviewsApi.as_view(),
        name="booking-reviews",
    ),
    path(
        "bookings/<uuid:booking_id>/reports",
        safety.BookingReportApi.as_view(),
        name="booking-reports",
    ),
    path(
        "bookings/<uuid:booking_id>/helper-block",
        safety.BookingHelperBlockApi.as_view(),
        name="booking-helper-block",
    ),
    # Community manager
    path("manager/reports", safety.ManagerReportListApi.as_view(), name="manager-reports"),
    path(
        "manager/reports/<uuid:report_id>",
        safety.ManagerReportDetailApi.as_view(),
        name="manager-report",
    ),
    path(
        "manager/reports/<uuid:report_id>/decide",
        safety.ManagerReportDecideApi.as_view(),
        name="manager-report-decide",
    ),
    path("manager/helpers", manager.ManagerHelperListApi.as_view(), name="manager-helpers"),
    path(
        "manager/helpers/<uuid:helper_id>",
        manager.ManagerHelperDetailApi.as_view(),
        name="manager-helper",
    ),
    path(
        "manager/helpers/<uuid:helper_id>/approve",
        manager.ManagerHelperApproveApi.as_view(),
        name="manager-helper-approve",
    ),
    path(
        "manager/helpers/<uuid:helper_id>/suspend",
        manager.ManagerHelperSuspendApi.as_view(),
        name="manager-helper-suspend",
    ),
    path(
        "manager/help-requests/<uuid:request_id>/offers",
        manager.ManagerRequestOffersApi.as_view(),
        name="manager-request-offers",
    ),
    path(
        "manager/help-requests/<uuid:request_id>/matching",
        manager.ManagerRequestMatchingApi.as_view(),
        name="manager-request-matching",
    ),
    # Payments
    path("helper/payout-account", payments.PayoutAccountApi.as_view(), name="payout-account"),
    path(
        "bookings/<uuid:booking_id>/payment",
        payments.BookingPaymentApi.as_view(),
        name="booking-payment",
    ),
    path(
        "bookings/<uuid:booking_id>/payment/method",
        payments.BookingPaymentMethodApi.as_view(),
        name="booking-payment-method",
    ),
    path(
        "bookings/<uuid:booking_id>/payment/pay",
        payments.BookingPayAfterApi.as_view(),
        name="booking-payment-pay",
    ),
    path(
        "bookings/<uuid:booking_id>/payment/refunds",
        payments.BookingRefundApi.as_view(),
        name="booking-payment-refunds",
    ),
    path(
        "bookings/<uuid:booking_id>/receipt",
        payments.BookingReceiptApi.as_view(),
        name="booking-receipt",
    ),
    path("bookings/<uuid:booking_id>/tip", payments.BookingTipApi.as_view(), name="booking-tip"),
    path(
        "bookings/<uuid:booking_id>/extra", payments.BookingExtraApi.as_view(), name="booking-extra"
    ),
    path(
        "bookings/<uuid:booking_id>/extra/answer",
        payments.BookingExtraAnswerApi.as_view(),
        name="booking-extra-answer",
    ),
    path("helper/earnings", payments.EarningsStatementApi.as_view(), name="earnings-statement"),
    # Anything else under /api/v1/ is a JSON 404 in the API's error shape.
    re_path(r"^(?P<unmatched>[\s\S]*)$", api_not_found, name="api-not-found"),
]

# Vetting: the applicant's application and documents, the manager's queue and decisions. Kept
# before the catch-all, which stays last.
from mobile_api.views import vetting  # noqa: E402 - these routes are added after the list

urlpatterns[-1:-1] = [
    path("helper/application", vetting.ApplicationApi.as_view(), name="helper-application"),
    path(
        "helper/application/documents",
        vetting.DocumentUploadApi.as_view(),
        name="helper-application-documents",
    ),
    path(
        "helper/application/submit",
        vetting.ApplicationSubmitApi.as_view(),
        name="helper-application-submit",
    ),
    path(
        "helper/application/withdraw",
        vetting.ApplicationWithdrawApi.as_view(),
        name="helper-application-withdraw",
    ),
    path("manager/applications", vetting.VettingQueueApi.as_view(), name="manager-applications"),
    path(
        "manager/applications/<uuid:helper_id>",
        vetting.ManagerApplicationApi.as_view(),
        name="manager-application",
    ),
    path(
        "manager/applications/<uuid:helper_id>/check-documents",
        vetting.CheckDocumentsApi.as_view(),
        name="manager-application-check-documents",
    ),
    path(
        "manager/applications/<uuid:helper_id>/conduct-test-passed",
        vetting.RecordConductTestApi.as_view(),
        name="manager-application-conduct-test-passed",
    ),
    path(
        "manager/applications/<uuid:helper_id>/invite-to-interview",
        vetting.InviteToInterviewApi.as_view(),
        name="manager-application-invite-to-interview",
    ),
    path(
        "manager/applications/<uuid:helper_id>/request-information",
        vetting.RequestInformationApi.as_view(),
        name="manager-application-request-information",
    ),
    path(
        "manager/applications/<uuid:helper_id>/reject",
        vetting.RejectApi.as_view(),
        name="manager-application-reject",
    ),
    path(
        "manager/helpers/<uuid:helper_id>/offboard",
        vetting.OffboardApi.as_view(),
        name="manager-helper-offboard",
    ),
    path(
        "manager/documents/<uuid:document_id>/file",
        vetting.ManagerDocumentFileApi.as_view(),
        name="manager-document-file",
    ),
]

# Terms and waivers: what to accept, and accepting it.
from mobile_api.views import waivers  # noqa: E402 - these routes are added after the list

urlpatterns[-1:-1] = [
    path("waivers", waivers.WaiverListApi.as_view(), name="waivers"),
    path("waivers/accept", waivers.WaiverAcceptApi.as_view(), name="waivers-accept"),
    path(
        "manager/bookings/<uuid:booking_id>/acceptances",
        waivers.ManagerBookingAcceptancesApi.as_view(),
        name="manager-booking-acceptances",
    ),
]
urlpatterns[-1:-1] = [
    path(
        "manager/vetting-funnel", vetting.VettingFunnelApi.as_view(), name="manager-vetting-funnel"
    ),
]

# The online code-of-conduct test: the applicant's attempts and the manager's versions.
from mobile_api.views import conduct_test  # noqa: E402 - these routes are added after the list

urlpatterns[-1:-1] = [
    path(
        "helper/conduct-test",
        conduct_test.ConductTestStandingApi.as_view(),
        name="helper-conduct-test",
    ),
    path(
        "helper/conduct-test/attempts",
        conduct_test.ConductTestAttemptStartApi.as_view(),
        name="helper-conduct-test-attempts",
    ),
    path(
        "helper/conduct-test/attempts/<uuid:attempt_id>/submit",
        conduct_test.ConductTestAttemptSubmitApi.as_view(),
        name="helper-conduct-test-attempt-submit",
    ),
    path(
        "manager/conduct-test/versions",
        conduct_test.ConductTestVersionListApi.as_view(),
        name="manager-conduct-test-versions",
    ),
    path(
        "manager/conduct-test/versions/<int:number>",
        conduct_test.ConductTestVersionDetailApi.as_view(),
        name="manager-conduct-test-version",
    ),
]

# Appeals against a suspension: the helper's, and the manager's decision.
from mobile_api.views import appeals  # noqa: E402 - these routes are added after the list

urlpatterns[-1:-1] = [
    path("helper/appeals", appeals.HelperAppealsApi.as_view(), name="helper-appeals"),
    path("manager/appeals", appeals.ManagerAppealListApi.as_view(), name="manager-appeals"),
    path(
        "manager/appeals/<uuid:appeal_id>/decide",
        appeals.ManagerAppealDecideApi.as_view(),
        name="manager-appeal-decide",
    ),
]

# The training academy: the helper's courses, quiz, certifications, events and calendar feed;
# the manager's courses, certifications, events and who lacks what.
from mobile_api.views import academy, academy_manager  # noqa: E402 - added after the list

urlpatterns[-1:-1] = [
    path("helper/academy/courses", academy.HelperCourseListApi.as_view(), name="academy-courses"),
    path(
        "helper/academy/courses/<slug:slug>",
        academy.HelperCourseDetailApi.as_view(),
        name="academy-course",
    ),
    path(
        "helper/academy/courses/<slug:slug>/quiz",
        academy.QuizAttemptStartApi.as_view(),
        name="academy-quiz-start",
    ),
    path(
        "helper/academy/quiz-attempts/<uuid:quiz_attempt_id>/submit",
        academy.QuizAttemptSubmitApi.as_view(),
        name="academy-quiz-submit",
    ),
    path(
        "helper/academy/certifications",
        academy.HelperCertificationListApi.as_view(),
        name="academy-certifications",
    ),
    path("helper/academy/events", academy.HelperEventListApi.as_view(), name="academy-events"),
    path(
        "helper/academy/registrations",
        academy.HelperRegistrationListApi.as_view(),
        name="academy-registrations",
    ),
    path(
        "helper/academy/events/<uuid:event_id>/register",
        academy.EventRegisterApi.as_view(),
        name="academy-event-register",
    ),
    path(
        "helper/academy/events/<uuid:event_id>/cancel",
        academy.EventCancelRegistrationApi.as_view(),
        name="academy-event-cancel",
    ),
    path(
        "helper/academy/calendar-feed",
        academy.CalendarFeedApi.as_view(),
        name="academy-calendar-feed",
    ),
    path(
        "manager/academy/courses",
        academy_manager.ManagerCourseListApi.as_view(),
        name="manager-academy-courses",
    ),
    path(
        "manager/academy/courses/<slug:slug>/requirements",
        academy_manager.CourseRequirementsApi.as_view(),
        name="manager-academy-course-requirements",
    ),
    path(
        "manager/academy/courses/<slug:slug>/drafts",
        academy_manager.CourseDraftStartApi.as_view(),
        name="manager-academy-course-drafts",
    ),
    path(
        "manager/academy/courses/<slug:slug>/versions/<int:number>",
        academy_manager.CourseVersionApi.as_view(),
        name="manager-academy-course-version",
    ),
    path(
        "manager/academy/courses/<slug:slug>/versions/<int:number>/publish",
        academy_manager.CourseVersionPublishApi.as_view(),
        name="manager-academy-course-version-publish",
    ),
    path(
        "manager/academy/certifications",
        academy_manager.ManagerCertificationListApi.as_view(),
        name="manager-academy-certifications",
    ),
    path(
        "manager/academy/certifications/<int:certification_id>/revoke",
        academy_manager.CertificationRevokeApi.as_view(),
        name="manager-academy-certification-revoke",
    ),
    path(
        "manager/academy/certification-gaps",
        academy_manager.CertificationGapsApi.as_view(),
        name="manager-academy-certification-gaps",
    ),
    path(
        "manager/academy/events",
        academy_manager.ManagerEventListApi.as_view(),
        name="manager-academy-events",
    ),
    path(
        "manager/academy/events/<uuid:event_id>",
        academy_manager.ManagerEventDetailApi.as_view(),
        name="manager-academy-event",
    ),
    path(
        "manager/academy/events/<uuid:event_id>/cancel",
        academy_manager.ManagerEventCancelApi.as_view(),
        name="manager-academy-event-cancel",
    ),
    path(
        "manager/academy/events/<uuid:event_id>/attendance",
        academy_manager.ManagerEventAttendanceApi.as_view(),
        name="manager-academy-event-attendance",
    ),
]
