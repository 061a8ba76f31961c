"""Root URLs: the admin (the editorial back office) and the public pages."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from editorial.health_view import HealthView

admin.site.site_header = "ECCP country factsheets"
admin.site.site_title = "ECCP factsheets"
admin.site.index_title = "Editorial back office"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("editorial/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    # For load balancers: 200 when the database, the media storage, the cache and the task workers answer (a bare
    # status for anonymous callers; each check's detail for staff and DJANGO_HEALTH_TOKEN).
    path("health/", HealthView.as_view(checks=[
        "health_check.checks.Database", "health_check.checks.Storage", "health_check.checks.Cache",
        "editorial.health.TaskQueue", "editorial.health.PublishJobs", "editorial.health.EditionReleases",
    ]), name="health"),
    path("", include("editorial.urls")),
    path("", include("portal.urls")),
    path("", RedirectView.as_view(url="/factsheets/", permanent=False)),
]
