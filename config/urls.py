"""Root URLs: the admin (the editorial back office) and the public pages."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from health_check.views import HealthCheckView

admin.site.site_header = "ECCP country factsheets"
admin.site.site_title = "ECCP factsheets"
admin.site.index_title = "Editorial back office"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("editorial/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    # For load balancers: 200 when the database, the media storage, the cache and the task workers answer.
    path("health/", HealthCheckView.as_view(checks=[
        "health_check.checks.Database", "health_check.checks.Storage", "health_check.checks.Cache",
        "editorial.health.TaskQueue", "editorial.health.EditionReleases",
    ]), name="health"),
    path("", include("editorial.urls")),
    path("", include("portal.urls")),
    path("", RedirectView.as_view(url="/factsheets/", permanent=False)),
]
