"""Root URLs: the admin (the editorial back office) and the public pages."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "ECCP country factsheets"
admin.site.site_title = "ECCP factsheets"
admin.site.index_title = "Editorial back office"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("editorial/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("", include("editorial.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
