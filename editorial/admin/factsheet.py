"""The factsheet in the admin: the workflow panel and its actions, history and compare, revert, versions; inlines
that follow the factsheet's state."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from editorial import permissions, services
from editorial.admin.panels import workflow_panel
from editorial.admin.validation import ValidationViewsMixin
from editorial.forms import DecisionForm, FactsheetChangeForm
from editorial.models import CarryForwardIssue, Publication, PublishJob, ReviewComment, Revision
from editorial.permissions import WorkflowError
from editorial.publishing.selectors import current_publication, publish_status
from editorial.selectors import revision_decisions, revision_last_reviewed, revision_list
from editorial.snapshots import snapshot_compare
from editorial.workflow import PUBLICATION_ACTIONS, TRANSITIONS
from factsheets import admin as factsheets_admin
from factsheets.models import Factsheet, State
from factsheets.richtext import RichTextField, sanitize
from factsheets.selectors import factsheet_footnote_problems

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


class WorkflowFactsheetAdmin(ValidationViewsMixin, RichTextReadOnlyMixin, factsheets_admin.FactsheetAdmin):
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
        panel = workflow_panel(user=request.user, factsheet=factsheet)
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
            path("<path:object_id>/reopen-ask/", wrap(self.reopen_ask_view), name="factsheets_factsheet_reopen_ask"),
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
        if action != "comment" and action not in TRANSITIONS and action not in PUBLICATION_ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        form = DecisionForm(request.POST, factsheet=factsheet)
        if not form.is_valid():
            messages.error(request, "Check the comment: " + " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(self._change_url(factsheet))
        comment = form.cleaned_data["comment"]
        transition = TRANSITIONS.get(action) or PUBLICATION_ACTIONS.get(action)
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
                if isinstance(result, PublishJob):
                    _publish_message(request, result)
                elif action in PUBLICATION_ACTIONS:
                    factsheet.refresh_from_db(fields=["state"])
                    messages.success(request, "Withdrawn: no version of the factsheet is public any more"
                                     + ("." if factsheet.state == State.WITHDRAWN else
                                        f"; the working copy stays {factsheet.get_state_display().lower()}."))
                else:
                    label = TRANSITIONS[action].label
                    phrase = STATE_PHRASES[TRANSITIONS[action].target]
                    messages.success(request, f"{label}: done. The factsheet {phrase}.")
        except WorkflowError as error:
            messages.error(request, getattr(error, "html", None) or error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(self._change_url(factsheet))

    def reopen_ask_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        factsheet = self._viewable(request, object_id)
        try:
            notified = services.reopen_ask(factsheet=factsheet, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The editors are asked to open a new draft for you"
                                      + (f" ({', '.join(notified)})." if notified else "."))
        return redirect(self._change_url(factsheet))

    def publish_status_view(self, request, object_id):
        """The factsheet's latest publish job as JSON, for the page's "Publishing…" line (publishing.js)."""
        factsheet = self._viewable(request, object_id)
        return JsonResponse(publish_status(factsheet=factsheet))

    def _confirm_page(self, request, factsheet, transition, form, *, missing: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{transition.label} {factsheet}?",
            "factsheet": factsheet,
            "transition": transition,
            "comment": form.cleaned_data.get("comment", ""),
            "missing": missing,
            "live": current_publication(factsheet=factsheet),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/workflow_confirm.html", context)

    def history_view(self, request, object_id, extra_context=None):
        factsheet = self._viewable(request, object_id)
        live = current_publication(factsheet=factsheet)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {factsheet}",
            "factsheet": factsheet,
            "revisions": list(revision_list(factsheet=factsheet)),
            "decisions": revision_decisions(factsheet=factsheet),
            "live": live,
            "can_revert": permissions.can(request.user, "revert", factsheet),
            "change_url": self._change_url(factsheet),
        }
        return TemplateResponse(request, "editorial/admin/factsheet_history.html", context)

    def compare_view(self, request, object_id):
        factsheet = self._viewable(request, object_id)
        revisions = Revision.objects.filter(factsheet=factsheet)
        latest = revisions.order_by("-number").first()
        live = current_publication(factsheet=factsheet)
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
            old, decision = revision_last_reviewed(factsheet=factsheet, user=request.user)
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
            "changes": snapshot_compare(old.snapshot, new.snapshot),
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


def _publish_message(request, job: PublishJob) -> None:
    if job.status == PublishJob.Status.DONE:
        messages.success(request, f"Published as version {job.publication.number}.")
    elif job.status == PublishJob.Status.FAILED:
        messages.error(request, job.error)
    else:
        messages.success(request, "Publishing: the PDF is being rendered; the new version goes live in a few "
                                  "seconds (this page shows when). The current version stays public until then.")


admin.site.unregister(Factsheet)
admin.site.register(Factsheet, WorkflowFactsheetAdmin)
