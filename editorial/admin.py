"""The workflow in the admin: factsheet states and actions, history and compare, editions opened and counted."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from editorial import editions, permissions, selectors, services, validation
from editorial.forms import (
    AssignForm,
    CategoryMergeForm,
    DecisionForm,
    EditionOpenForm,
    FactsheetChangeForm,
    ValidationSendForm,
)
from editorial.models import (
    CarryForwardIssue,
    Publication,
    PublishJob,
    ReviewComment,
    Revision,
    ValidationRequest,
)
from editorial.permissions import WorkflowError
from editorial.workflow import TRANSITIONS
from factsheets import admin as factsheets_admin
from factsheets.models import Category, Country, Criterion, Edition, Factsheet, State
from factsheets.richtext import RichTextField, sanitize
from factsheets.selectors import category_policies, factsheet_footnote_problems

HTML_SUFFIX = "__html"
STATE_PHRASES = {
    State.DRAFT: "is back to draft", State.IN_REVIEW: "is now in review",
    State.CHANGES_REQUESTED: "now has changes requested", State.APPROVED: "is now approved",
    State.PUBLISHED: "is now published", State.WITHDRAWN: "is now withdrawn",
}


def _rich_text_names(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if isinstance(f, RichTextField)}


def _as_html_names(model, names):
    """Read-only rich texts are shown as their (sanitised) HTML, not as tags: `text` becomes `text__html`."""
    rich = _rich_text_names(model)
    out = []
    for name in names:
        if isinstance(name, (list, tuple)):
            out.append(tuple(f"{n}{HTML_SUFFIX}" if n in rich else n for n in name))
        elif name in rich:
            out.append(f"{name}{HTML_SUFFIX}")
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def _html_fieldsets(model, fieldsets):
    return [(title, {**options, "fields": _as_html_names(model, options["fields"])}) for title, options in fieldsets]


class RichTextReadOnlyMixin:
    """Provides `<field>__html` read-only displays of rich-text fields (sanitised with the one allowlist)."""

    def __getattr__(self, name):
        if not name.endswith(HTML_SUFFIX) or name[: -len(HTML_SUFFIX)] not in _rich_text_names(self.model):
            raise AttributeError(name)
        field_name = name[: -len(HTML_SUFFIX)]

        def display(obj):
            return mark_safe(sanitize(getattr(obj, field_name)))  # noqa: S308 - sanitised by the nh3 allowlist

        display.short_description = self.model._meta.get_field(field_name).verbose_name
        return display


class WorkflowInlineMixin(RichTextReadOnlyMixin):
    """Inlines follow the factsheet: nothing to add, change or delete unless the factsheet may be edited."""

    def _editable(self, request, obj):
        return obj is None or permissions.can_edit(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self._editable(request, obj):
            fields += [f"{name}{HTML_SUFFIX}" for name in sorted(_rich_text_names(self.model))]
        return fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self._editable(request, obj) else _as_html_names(self.model, fields)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if self._editable(request, obj) else _html_fieldsets(self.model, fieldsets)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class PolicyInline(WorkflowInlineMixin, factsheets_admin.PolicyInline):
    pass


class AssessmentInline(WorkflowInlineMixin, factsheets_admin.AssessmentInline):
    pass


class QualitativeInline(WorkflowInlineMixin, factsheets_admin.QualitativeInline):
    pass


class FootnoteInline(WorkflowInlineMixin, factsheets_admin.FootnoteInline):
    pass


class ReferenceInline(WorkflowInlineMixin, factsheets_admin.ReferenceInline):
    pass


class WorkflowFactsheetAdmin(RichTextReadOnlyMixin, factsheets_admin.FactsheetAdmin):
    form = FactsheetChangeForm
    change_form_template = "editorial/admin/factsheet_change_form.html"
    inlines = [PolicyInline, AssessmentInline, QualitativeInline, FootnoteInline, ReferenceInline]

    class Media:
        css = {"all": ["editorial/admin/workflow.css"]}
        js = ["editorial/admin/unsaved.js", "editorial/admin/comments.js", "editorial/admin/publishing.js"]

    # --- permissions: the state decides, for everyone ---------------------------------------------------
    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (obj.state == State.DRAFT and not obj.publications.exists())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            return _html_fieldsets(self.model, fieldsets)
        first = fieldsets[0]
        return [(first[0], {**first[1], "fields": [*first[1]["fields"], "loaded_version"]}), *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields += [f"{name}{HTML_SUFFIX}" for name in sorted(_rich_text_names(self.model))]
        return fields

    # --- saving: version check, then a revision of the whole factsheet --------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # adding: the factsheets app's form
        if getattr(request, "editorial_edit_conflict", False):
            form = type(form.__name__, (form,), {"force_conflict": True})
        return form

    def save_model(self, request, obj, form, change):
        if change:
            obj.lock_version = services.lock_version_claim(
                factsheet_id=obj.pk, loaded_version=form.cleaned_data.get("loaded_version")
            )
        elif obj.assigned_analyst_id is None and permissions.has_role_permission(request.user, "submit"):
            obj.assigned_analyst = request.user  # whoever starts a factsheet writes it, until an editor reassigns
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.revision_record(
            factsheet=form.instance, by=request.user, reason="Edited in the admin" if change else "Created"
        )
        for problem in factsheet_footnote_problems(factsheet=form.instance):
            suffix = " It cannot be submitted, approved or published until this is fixed." if problem.blocking else ""
            messages.warning(request, f"{problem}{suffix}")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict:
            # Rolled back; render the form again with the conflict as its error and the input kept.
            request.editorial_edit_conflict = True
            return super().changeform_view(request, object_id, form_url, extra_context)


    def change_view(self, request, object_id, form_url="", extra_context=None):
        factsheet = self.get_object(request, admin.utils.unquote(object_id))
        context = dict(extra_context or {})
        if factsheet is not None and self.has_view_or_change_permission(request, factsheet):
            context.update(self._workflow_context(request, factsheet))
        return super().change_view(request, object_id, form_url, context)

    def _workflow_context(self, request, factsheet):
        panel = selectors.workflow_panel(user=request.user, factsheet=factsheet)
        if panel["transitions"] or panel["can_comment"]:
            form = DecisionForm(factsheet=factsheet, sections=panel["sections"], policies=panel["policies"])
            if not panel["comment_open"]:
                form.fields["comment"].help_text = ""
            panel["form"] = form
        return {"workflow": panel}

    # --- extra pages ------------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/", wrap(self.workflow_view), name="factsheets_factsheet_workflow"),
            path("<path:object_id>/publish-status/", wrap(self.publish_status_view),
                 name="factsheets_factsheet_publish_status"),
            path("<path:object_id>/history/compare/", wrap(self.compare_view), name="factsheets_factsheet_compare"),
            path("<path:object_id>/comments/<int:comment_id>/resolve/", wrap(self.comment_resolve_view),
                 name="factsheets_factsheet_comment_resolve"),
            path("<path:object_id>/carry-forward/<int:issue_id>/handle/", wrap(self.issue_handle_view),
                 name="factsheets_factsheet_issue_handle"),
            path("<path:object_id>/validation/send/", wrap(self.validation_send_view),
                 name="factsheets_factsheet_validation_send"),
            path("<path:object_id>/validation/<int:request_id>/revoke/", wrap(self.validation_revoke_view),
                 name="factsheets_factsheet_validation_revoke"),
            path("<path:object_id>/validation/<int:request_id>/read/", wrap(self.validation_read_view),
                 name="factsheets_factsheet_validation_read"),
            path("<path:object_id>/history/<int:number>/revert/", wrap(self.revert_view),
                 name="factsheets_factsheet_revert"),
            path("<path:object_id>/publications/<int:number>/pdf/", wrap(self.publication_pdf_view),
                 name="factsheets_factsheet_publication"),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id) -> Factsheet:
        factsheet = self.get_object(request, admin.utils.unquote(object_id))
        if factsheet is None:
            raise Http404("No such factsheet.")
        if not self.has_view_or_change_permission(request, factsheet):
            raise PermissionDenied
        return factsheet

    def _change_url(self, factsheet):
        return reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])

    def workflow_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        action = request.POST.get("action", "")
        if action != "comment" and action not in TRANSITIONS:
            return HttpResponseBadRequest("Unknown action.")
        form = DecisionForm(request.POST, factsheet=factsheet)
        if not form.is_valid():
            messages.error(request, "Check the comment: " + " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(self._change_url(factsheet))
        comment = form.cleaned_data["comment"]
        transition = TRANSITIONS.get(action)
        if transition is not None and transition.confirm and permissions.can(request.user, action, factsheet):
            missing = transition.comment_required and not comment.strip()
            if request.POST.get("confirmed") != "yes" or missing:
                return self._confirm_page(request, factsheet, transition, form, missing=missing and
                                          request.POST.get("confirmed") == "yes")
        try:
            if action == "comment":
                services.review_comment_add(factsheet=factsheet, by=request.user, text=comment, **form.anchor())
                messages.success(request, "Your comment was added.")
            else:
                anchor = form.anchor() if action == "request_changes" else {}
                result = services.factsheet_transition(
                    factsheet=factsheet, by=request.user, action=action, comment=comment, **anchor
                )
                label = TRANSITIONS[action].label
                if isinstance(result, PublishJob):
                    _publish_message(request, result)
                else:
                    phrase = STATE_PHRASES[TRANSITIONS[action].target]
                    messages.success(request, f"{label}: done. The factsheet {phrase}.")
        except WorkflowError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self._change_url(factsheet))

    def publish_status_view(self, request, object_id):
        """The factsheet's latest publish job as JSON, for the page's "Publishing…" line (publishing.js)."""
        factsheet = self._viewable(request, object_id)
        return JsonResponse(selectors.publish_status(factsheet=factsheet))

    def _confirm_page(self, request, factsheet, transition, form, *, missing: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{transition.label} {factsheet}?",
            "factsheet": factsheet,
            "transition": transition,
            "comment": form.cleaned_data.get("comment", ""),
            "missing": missing,
            "live": selectors.current_publication(factsheet=factsheet),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/workflow_confirm.html", context)

    def history_view(self, request, object_id, extra_context=None):
        factsheet = self._viewable(request, object_id)
        live = selectors.current_publication(factsheet=factsheet)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {factsheet}",
            "factsheet": factsheet,
            "revisions": list(selectors.revision_list(factsheet=factsheet)),
            "decisions": selectors.revision_decisions(factsheet=factsheet),
            "live": live,
            "can_revert": permissions.can(request.user, "revert", factsheet),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/factsheet_history.html", context)

    def compare_view(self, request, object_id):
        factsheet = self._viewable(request, object_id)
        revisions = Revision.objects.filter(factsheet=factsheet)
        latest = revisions.order_by("-number").first()
        live = selectors.current_publication(factsheet=factsheet)
        since = request.GET.get("since")
        decision = None

        def pick(value, default):
            if value == "published":
                return live.revision if live else None
            if value in (None, ""):
                return default
            try:
                return revisions.get(number=int(value))
            except (ValueError, Revision.DoesNotExist):
                raise Http404("No such revision.") from None

        if since == "my-review":
            old, decision = selectors.revision_last_reviewed(factsheet=factsheet, user=request.user)
            if old is None:  # never reviewed by me: what changed since the public version (or since the start)
                old = (live.revision if live else None) or revisions.order_by("number").first()
            new = latest
        else:
            old = pick(request.GET.get("a"), None)
            new = pick(request.GET.get("b"), latest)
            if request.GET.get("a") == "published" and old is None:
                messages.warning(request, "This factsheet has no published version to compare with.")
                return redirect(self._change_url(factsheet))
        if old is None or new is None:
            messages.warning(request, "Choose two revisions to compare.")
            return redirect(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk]))
        view = "side" if request.GET.get("view") == "side" else "inline"
        query = request.GET.copy()
        query["view"] = "inline" if view == "side" else "side"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": (f"Changes since your last review of {factsheet}" if since == "my-review"
                      else f"Compare revisions of {factsheet}"),
            "factsheet": factsheet,
            "old": old,
            "new": new,
            "since": since,
            "decision": decision,
            "view": view,
            "other_view_query": query.urlencode(),
            "old_is_live": bool(live and live.revision_id == old.pk),
            "changes": selectors.snapshot_compare(old.snapshot, new.snapshot),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/factsheet_compare.html", context)

    def comment_resolve_view(self, request, object_id, comment_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        comment = ReviewComment.objects.filter(factsheet=factsheet, pk=comment_id).first()
        if comment is None:
            raise Http404("No such comment.")
        resolved = request.POST.get("resolved", "yes") == "yes"
        try:
            services.review_comment_resolve(comment=comment, by=request.user, resolved=resolved)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Comment marked resolved." if resolved else "Comment open again.")
        return redirect(self._change_url(factsheet) + "#open-comments")

    def issue_handle_view(self, request, object_id, issue_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        issue = CarryForwardIssue.objects.filter(factsheet=factsheet, pk=issue_id).first()
        if issue is None:
            raise Http404("No such issue.")
        handled = request.POST.get("handled", "yes") == "yes"
        try:
            services.carry_forward_issue_handle(issue=issue, by=request.user, handled=handled)
        except WorkflowError as error:
            messages.error(request, error.message)
        return redirect(self._change_url(factsheet) + "#carry-forward-issues")

    def validation_send_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        form = ValidationSendForm(request.POST, contacts=validation.contacts_for(factsheet=factsheet))
        if not form.is_valid():
            messages.error(request, "Nothing was sent: " + " ".join(e for errs in form.errors.values() for e in errs))
        else:
            try:
                sent = validation.validation_request_send(
                    factsheet=factsheet, contacts=form.cleaned_data["contacts"], message=form.cleaned_data["message"],
                    deadline=form.cleaned_data["deadline"], by=request.user)
            except WorkflowError as error:
                messages.error(request, error.message)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Sent for national validation: " + ", ".join(
                    f"{s.request.contact_label} <{s.request.contact_email}>" for s in sent)
                    + ". Each contact has an e-mail with a private link.")
        return redirect(self._change_url(factsheet) + "#validation")

    def _validation_request(self, request, object_id, request_id):
        if request.method != "POST":
            return None, None
        factsheet = self._viewable(request, object_id)
        vrequest = ValidationRequest.objects.filter(factsheet=factsheet, pk=request_id).first()
        if vrequest is None:
            raise Http404("No such request.")
        return factsheet, vrequest

    def validation_revoke_view(self, request, object_id, request_id):
        factsheet, vrequest = self._validation_request(request, object_id, request_id)
        if vrequest is None:
            return HttpResponseNotAllowed(["POST"])
        validation.validation_request_revoke(request=vrequest, by=request.user)
        messages.success(request, f"The link sent to {vrequest.contact_label} no longer opens.")
        return redirect(self._change_url(factsheet) + "#validation")

    def validation_read_view(self, request, object_id, request_id):
        factsheet, vrequest = self._validation_request(request, object_id, request_id)
        if vrequest is None:
            return HttpResponseNotAllowed(["POST"])
        validation.validation_mark_read(request=vrequest, by=request.user)
        return redirect(self._change_url(factsheet) + "#validation")

    def revert_view(self, request, object_id, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        revision = Revision.objects.filter(factsheet=factsheet, number=number).first()
        if revision is None:
            raise Http404("No such revision.")
        try:
            new = services.revision_revert(factsheet=factsheet, revision=revision, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
            return redirect(reverse("admin:factsheets_factsheet_history", args=[factsheet.pk]))
        messages.success(request, f"Revision {number} restored as revision {new.number}.")
        return redirect(self._change_url(factsheet))

    def publication_pdf_view(self, request, object_id, number):
        factsheet = self._viewable(request, object_id)
        publication = Publication.objects.filter(factsheet=factsheet, number=number).select_related(
            "factsheet__country", "factsheet__edition").first()
        if publication is None or not publication.pdf:
            raise Http404("No such version.")
        name = publication.file_name.replace(".pdf", f"-v{publication.number}.pdf")
        return FileResponse(publication.pdf.open("rb"), content_type="application/pdf", filename=name)


class MethodologyChangeMixin:
    """Saving or deleting what an edition prints makes every pending approval of its factsheets stale."""

    def _changed(self, request, edition: Edition, what: str) -> None:
        reopened = services.edition_changed(edition=edition, by=request.user, what=what)
        if reopened:
            names = ", ".join(str(f) for f in reopened)
            messages.warning(request, "The methodology changed, so these factsheets are back to draft and need a "
                                      f"new review: {names}.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if change:
            self._changed(request, obj if isinstance(obj, Edition) else obj.edition,
                          f"{obj._meta.verbose_name} “{obj}” edited")

    def delete_model(self, request, obj):
        edition, what = (None if isinstance(obj, Edition) else obj.edition), f"{obj._meta.verbose_name} “{obj}” deleted"
        super().delete_model(request, obj)
        if edition is not None:
            self._changed(request, edition, what)


class WorkflowCriterionAdmin(MethodologyChangeMixin, factsheets_admin.CriterionAdmin):
    pass


class WorkflowCategoryAdmin(MethodologyChangeMixin, factsheets_admin.CategoryAdmin):
    """Categories: a category in use is never deleted (it is merged into another, recorded in every factsheet
    it touches)."""

    change_form_template = "editorial/admin/category_change_form.html"

    def get_urls(self):
        return [
            path("<path:object_id>/merge/", self.admin_site.admin_view(self.merge_view),
                 name="factsheets_category_merge"),
            *super().get_urls(),
        ]

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for category in objs:
            for policy in category_policies(category=category):
                protected.append(f"Policy “{policy.name}” of {policy.factsheet} uses “{category.label}”: "
                                 "merge the category into another instead")
        return deleted, model_count, perms_needed, protected

    def merge_view(self, request, object_id):
        source = self.get_object(request, admin.utils.unquote(object_id))
        if source is None:
            raise Http404("No such category.")
        if not permissions.can(request.user, "merge_category"):
            raise PermissionDenied
        form = CategoryMergeForm(request.POST or None, source=source)
        if request.method == "POST" and form.is_valid():
            try:
                touched = services.category_merge(source=source, target=form.cleaned_data["into"], by=request.user)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"“{source.label}” was merged into “{form.cleaned_data['into'].label}”; "
                                          f"{len(touched)} factsheet(s) recorded the change in their history.")
                return redirect(reverse("admin:factsheets_category_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge “{source.label}” into another category",
            "source": source,
            "form": form,
            "policies": list(category_policies(category=source)),
        }
        return TemplateResponse(request, "editorial/admin/category_merge.html", context)


class WorkflowCountryAdmin(factsheets_admin.CountryAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and selectors.country_has_publications(country=obj):
            fields.append("code")  # its published URLs and PDFs name it: the identity never changes
        return fields


class WorkflowEditionAdmin(MethodologyChangeMixin, factsheets_admin.EditionAdmin):
    change_list_template = "editorial/admin/edition_change_list.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and selectors.edition_has_publications(edition=obj):
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
        analysts = selectors.users_with_role_permission("submit")
        reviewers = selectors.users_with_role_permission("approve")
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
            queued = selectors.batch_progress(batch=batch)["total"]
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
        return JsonResponse(selectors.batch_progress(batch=batch[:32]))

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
        if obj is not None and selectors.edition_has_publications(edition=obj):
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
            if selectors.edition_has_publications(edition=edition):
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


admin.site.unregister(Factsheet)
admin.site.register(Factsheet, WorkflowFactsheetAdmin)
admin.site.unregister(Edition)
admin.site.register(Edition, WorkflowEditionAdmin)
admin.site.unregister(Criterion)
admin.site.register(Criterion, WorkflowCriterionAdmin)
admin.site.unregister(Category)
admin.site.register(Category, WorkflowCategoryAdmin)
admin.site.unregister(Country)
admin.site.register(Country, WorkflowCountryAdmin)


User = get_user_model()


class EditorialUserAdmin(UserAdmin):
    """Users who appear in the editorial history (revisions, decisions, comments, publications, imports) are
    deactivated, never deleted: the history keeps their names."""

    actions = ["deactivate_users"]
    list_display = [*UserAdmin.list_display, "is_active"]

    @admin.action(description="Deactivate selected users (they keep their place in the history)",
                  permissions=["change"])
    def deactivate_users(self, request, queryset):
        count = services.users_deactivate(users=queryset.exclude(pk=request.user.pk), by=request.user)
        messages.success(request, f"{count} user(s) deactivated: they can no longer log in and keep their names "
                                  "in the history.")

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()  # what matters is that the history protects the account, not other permissions
            protected.insert(0, "This account appears in the editorial history, which must keep its name: "
                                "deactivate it instead (Users › select it › “Deactivate selected users”).")
        return deleted, model_count, perms_needed, protected


admin.site.unregister(User)
admin.site.register(User, EditorialUserAdmin)


@admin.register(ValidationRequest)
class ValidationRequestAdmin(admin.ModelAdmin):
    """Every request for national validation: who was asked, when, what they answered; links can be revoked."""

    list_display = ["factsheet", "contact_label", "sent_at", "deadline", "verdict", "answered_at", "revoked_at"]
    list_filter = ["verdict", "factsheet__edition"]
    list_select_related = ["factsheet__country", "factsheet__edition"]
    search_fields = ["factsheet__country__name", "contact_label"]
    actions = ["revoke"]
    readonly_fields = [f.name for f in ValidationRequest._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash", "reminder_token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected links")
    def revoke(self, request, queryset):
        if not permissions.can(request.user, "request_validation"):
            raise PermissionDenied
        for vrequest in queryset:
            validation.validation_request_revoke(request=vrequest, by=request.user)
        messages.success(request, f"{queryset.count()} link(s) revoked.")


def _publish_message(request, job: PublishJob) -> None:
    if job.status == PublishJob.Status.DONE:
        messages.success(request, f"Published as version {job.publication.number}.")
    elif job.status == PublishJob.Status.FAILED:
        messages.error(request, job.error)
    else:
        messages.success(request, "Publishing: the PDF is being rendered; the new version goes live in a few "
                                  "seconds (this page shows when). The current version stays public until then.")
