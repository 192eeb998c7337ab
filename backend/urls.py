from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# Lazy: the admin's titles are read per request, in the language of the manager reading them.
admin.site.site_header = _("Quartier back office")
admin.site.site_title = _("Quartier back office")
admin.site.index_title = _("Community management")

handler400 = "mobile_api.errors.bad_request"
handler500 = "mobile_api.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("mobile_api.urls")),
    path("stripe/", include("mobile_api.stripe_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("web.urls")),
]
