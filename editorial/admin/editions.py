"""Editions and countries in the admin: the editions' dashboards (assignment, publishing an edition with its
progress), opening and deleting an edition; identities that published URLs name never change."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from editorial import editions, permissions, selectors, services, team
from editorial.admin.methodology import MethodologyChangeMixin
from editorial.forms import AssignForm, EditionOpenForm, ReleaseForm
from editorial.permissions import WorkflowError
from editorial.publishing import releases
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
            path("dashboard/<int:year>/release/", wrap(self.release_status_view),
                 name="factsheets_edition_release"),
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
        if request.method == "POST" and request.POST.get("do", "").startswith("release"):
            return self._release_action(request, edition, can_publish)
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
                            published=form.cleaned_data.get("published") or "open",
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
        missing = selectors.factsheets_missing(edition=edition, factsheets=rows)
        for row in rows:
            row.missing = missing.get(row.pk, [])
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
            **self._release_context(request, edition, can_publish),
        }
        return TemplateResponse(request, "editorial/admin/edition_factsheets.html", context)

    # --- the edition's release ---------------------------------------------------------------------------
    def _release_context(self, request, edition, can_publish, form=None):
        release = releases.scheduled_release(edition=edition)
        last = edition.releases.exclude(status="scheduled").order_by("-created_at", "-id").first()
        return {
            "release": release,
            "release_readiness": releases.release_readiness(release=release) if release else None,
            "release_last": last,
            "release_form": form or ReleaseForm(initial=self._release_initial(release)),
            "can_release": can_publish,
            "server_now": timezone.now(),
        }

    @staticmethod
    def _release_initial(release):
        if release is None:
            return {}
        local = release.local_time
        return {"date": local.date(), "time": local.time().replace(second=0, microsecond=0),
                "time_zone": release.time_zone}

    def _release_action(self, request, edition, can_publish):
        """Schedule, move, cancel or make now the edition's release; retry failed preparations."""
        if not can_publish:
            raise PermissionDenied
        do = request.POST["do"]
        url = reverse("admin:factsheets_edition_factsheets", args=[edition.year]) + "#release"
        release = releases.scheduled_release(edition=edition)
        refused = []
        try:
            if do in ("release_schedule", "release_reschedule"):
                form = ReleaseForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Nothing was scheduled: " + " ".join(
                        e for errors in form.errors.values() for e in errors))
                    return redirect(url)
                at, zone = form.cleaned_data["at"], form.cleaned_data["time_zone"]
                if do == "release_schedule":
                    release, refused = releases.release_schedule(edition=edition, at=at, time_zone=zone,
                                                                 by=request.user)
                    messages.success(request, f"The {edition.year} edition's release is scheduled for "
                                              f"{release.local_time:%d %B %Y %H:%M} ({zone}). Its approved factsheets "
                                              "are being prepared; nothing is public until then.")
                elif release is not None:
                    release, refused = releases.release_reschedule(release=release, at=at, time_zone=zone,
                                                                   by=request.user)
                    messages.success(request, f"The release is moved to {release.local_time:%d %B %Y %H:%M} "
                                              f"({zone}).")
            elif release is None:
                messages.error(request, "No release is scheduled for this edition.")
            elif do == "release_cancel":
                releases.release_cancel(release=release, by=request.user)
                messages.success(request, "The release is cancelled: the prepared versions are discarded, the "
                                          "factsheets stay approved, nothing changed for the public.")
            elif do == "release_now":
                release = releases.release_now(release=release, by=request.user)
                if release.reprepared:
                    messages.success(request, f"Releasing now. The PDFs print the release's date, so "
                                              f"{release.reprepared} factsheet(s) are prepared again for today first; "
                                              "the edition goes live as soon as they are ready.")
                else:
                    messages.success(request, "Releasing now: a worker makes the edition live in a moment.")
            elif do == "release_retry":
                refused = releases.release_retry_failed(release=release, by=request.user)
                messages.success(request, "The factsheets not prepared are queued again.")
        except WorkflowError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        for factsheet, reason in refused:
            messages.warning(request, f"{factsheet} is not prepared for the release: {reason}")
        return redirect(url)

    def release_status_view(self, request, year):
        """The release's countdown and readiness as JSON, for the dashboard (release.js)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise Http404("No such edition.")
        release = releases.scheduled_release(edition=edition)
        if release is None:
            last = edition.releases.order_by("-created_at", "-id").first()
            return JsonResponse({"status": last.status if last else None, "now": timezone.now().isoformat(),
                                 "released_at": last.released_at.isoformat() if last and last.released_at else None})
        return JsonResponse({
            "status": release.status, "at": release.scheduled_at.isoformat(), "now": timezone.now().isoformat(),
            "problem": release.problem, **releases.release_readiness(release=release).as_dict(),
        })

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
