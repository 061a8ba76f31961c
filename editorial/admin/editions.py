"""Editions and countries in the admin: the editions' dashboards (assignment, publishing an edition with its
progress), opening and deleting an edition; identities that published URLs name never change."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from editorial import editions, permissions, selectors, services, team
from editorial.admin.methodology import MethodologyChangeMixin
from editorial.forms import AssignForm, EditionOpenForm
from editorial.permissions import WorkflowError
from editorial.publishing import selectors as publishing_selectors
from factsheets import admin as factsheets_admin
from factsheets.models import Country, Edition, State


class WorkflowCountryAdmin(factsheets_admin.CountryAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and publishing_selectors.country_has_publications(country=obj):
            fields.append("code")  # its published URLs and PDFs name it: the identity never changes
        return fields


class WorkflowEditionAdmin(MethodologyChangeMixin, factsheets_admin.EditionAdmin):
    change_list_template = "editorial/admin/edition_change_list.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and publishing_selectors.edition_has_publications(edition=obj):
            fields.append("year")  # its published URLs and PDFs name it: the identity never changes
        return fields

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="factsheets_edition_dashboard"),
            path("dashboard/<int:year>/", wrap(self.edition_dashboard_view), name="factsheets_edition_factsheets"),
            path("dashboard/<int:year>/batch/<str:batch>/", wrap(self.batch_progress_view),
                 name="factsheets_edition_batch"),
            path("open/", wrap(self.open_view), name="factsheets_edition_open"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "can_open_edition": permissions.can(request.user, "open_edition"),
            # extend whatever list template the edition admin had (e.g. import/export buttons)
            "editorial_base_change_list": (
                factsheets_admin.EditionAdmin.change_list_template or "admin/change_list.html"
            ),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Edition dashboard",
            "states": list(State),
            "rows": selectors.edition_state_counts(),
            "can_open_edition": permissions.can(request.user, "open_edition"),
        }
        return TemplateResponse(request, "editorial/admin/edition_dashboard.html", context)

    def edition_dashboard_view(self, request, year):
        if not self.has_view_permission(request):
            raise PermissionDenied
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise Http404("No such edition.")
        can_assign = permissions.can(request.user, "assign")
        can_publish = permissions.has_role_permission(request.user, "publish")
        analysts = team.users_with_role_permission("submit")
        reviewers = team.users_with_role_permission("approve")
        form = None
        if request.method == "POST" and request.POST.get("do", "").startswith(("publish", "retry")):
            return self._edition_publish(request, edition, can_publish)
        if can_assign:
            form = AssignForm(request.POST if request.method == "POST" else None, edition=edition,
                              analysts=analysts, reviewers=reviewers)
            if request.method == "POST":
                if form.is_valid():
                    try:
                        count = services.factsheets_assign(
                            factsheets=form.cleaned_data["factsheets"], by=request.user,
                            analyst=form.cleaned_data["analyst"], reviewer=form.cleaned_data["reviewer"],
                            clear_reviewer=form.cleaned_data["any_reviewer"],
                        )
                    except WorkflowError as error:
                        messages.error(request, error.message)
                    else:
                        messages.success(request, f"{count} factsheet(s) assigned.")
                        return redirect(request.get_full_path())
                else:
                    messages.error(request, "Nothing was assigned: " + " ".join(
                        e for errors in form.errors.values() for e in errors) + " Select factsheets first.")
        elif request.method == "POST":
            raise PermissionDenied
        filters = {key: request.GET.get(key, "") for key in selectors.EDITION_FILTERS}
        rows = list(selectors.edition_factsheets(edition=edition, filters=filters))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"The {edition.year} edition: every factsheet",
            "edition": edition,
            "rows": rows,
            "filters": filters,
            "states": list(State),
            "analysts": list(analysts),
            "form": form,
            "reviewers": list(reviewers),
            "can_publish": can_publish,
            "approved": sum(1 for row in rows if row.state == State.APPROVED),
            "batch": request.GET.get("batch", "")[:32],
        }
        return TemplateResponse(request, "editorial/admin/edition_factsheets.html", context)

    def _edition_publish(self, request, edition, can_publish):
        """Publish the selected (or every) approved factsheet of the edition, or retry a batch's failures."""
        if not can_publish:
            raise PermissionDenied
        do = request.POST["do"]
        if do == "retry_failed":
            batch = request.POST.get("batch", "")[:32]
            count, refused = services.batch_retry(batch=batch, by=request.user)
            messages.success(request, f"{count} factsheet(s) queued again.")
        else:
            chosen = None if do == "publish_all" else request.POST.getlist("factsheets")
            if chosen == []:
                messages.error(request, "Select the approved factsheets to publish first.")
                return redirect(request.get_full_path())
            batch, refused = services.edition_publish(edition=edition, by=request.user, factsheets=chosen)
            queued = publishing_selectors.batch_progress(batch=batch)["total"]
            if queued:
                messages.success(request, f"{queued} factsheet(s) are being published; the progress shows below.")
            elif not refused:
                messages.error(request, "None of the selected factsheets is approved: nothing to publish.")
        for factsheet, reason in refused:
            messages.warning(request, f"{factsheet} was not published: {reason}")
        url = reverse("admin:factsheets_edition_factsheets", args=[edition.year])
        return redirect(f"{url}?batch={batch}")

    def batch_progress_view(self, request, year, batch):
        if not self.has_view_permission(request):
            raise PermissionDenied
        services.publish_jobs_recover()  # a job whose worker died is queued again while someone watches
        return JsonResponse(publishing_selectors.batch_progress(batch=batch[:32]))

    def open_view(self, request):
        if not permissions.can(request.user, "open_edition"):
            raise PermissionDenied
        form = EditionOpenForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            source, year = form.cleaned_data["source"], form.cleaned_data["year"]
            try:
                if request.POST.get("confirmed") == "yes":
                    with transaction.atomic():
                        edition, created = editions.edition_open(source=source, year=year, by=request.user)
                    messages.success(request, f"The {edition.year} edition is open with {len(created)} new draft(s).")
                    return redirect(reverse("admin:factsheets_edition_dashboard"))
                preview = editions.edition_open_preview(source=source, year=year, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Open a new edition" if preview is None else f"Open the {preview['year']} edition?",
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "editorial/admin/edition_open.html", context)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and publishing_selectors.edition_has_publications(edition=obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one edition at a time, through its own page
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        edition = self.get_object(request, admin.utils.unquote(object_id))
        if edition is None:
            raise Http404("No such edition.")
        if not self.has_delete_permission(request, edition):
            if publishing_selectors.edition_has_publications(edition=edition):
                messages.error(request, f"The {edition.year} edition has published factsheets and cannot be deleted.")
                return redirect(reverse("admin:factsheets_edition_change", args=[edition.pk]))
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("post") == "yes":
            try:
                with transaction.atomic():
                    self.log_deletions(request, Edition.objects.filter(pk=edition.pk))  # the admin's history
                    count = editions.edition_delete(edition=edition, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(reverse("admin:factsheets_edition_change", args=[edition.pk]))
            messages.success(request, f"The {edition.year} edition and its {count} draft(s) were deleted.")
            return redirect(reverse("admin:factsheets_edition_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Delete the {edition.year} edition?",
            "edition": edition,
            "factsheets": list(edition.factsheets.select_related("country").order_by("country__name")),
        }
        return TemplateResponse(request, "editorial/admin/edition_delete.html", context)


admin.site.unregister(Edition)
admin.site.register(Edition, WorkflowEditionAdmin)
admin.site.unregister(Country)
admin.site.register(Country, WorkflowCountryAdmin)
