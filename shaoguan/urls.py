import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "韶关社区吹哨报到平台 · 管理后台"
admin.site.site_title = "韶关社区吹哨报到平台"
admin.site.index_title = "管理首页"

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("grids.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("rankings.api_urls")),
    path("", include("portal.api_urls")),
    path("", include("core.downloads.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("grids.urls")),
    path("", include("orders.urls")),
    path("", include("reporting.urls")),
    path("", include("notifications.urls")),
    path("", include("rankings.urls")),
    path("downloads/", include("core.downloads.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded photos, served by Django for development and `make run` only (SERVE_MEDIA);
    # a deployment's web server serves MEDIA_ROOT itself.
    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
