"""Admin import and export: upload checks, the two-step import with a full error report, export selected."""

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.forms import ImportForm

from factsheets.imports import dataset_read, import_changes, import_problems, max_bytes
from factsheets.pending_imports import (
    PendingImportStorage,
    pending_discard,
    pending_forget,
    pending_is_mine,
    pending_remember,
)


class FactsheetsImportForm(ImportForm):
    """The first step's form: refuses oversize, empty, non-UTF-8 or unreadable files before anything runs."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats
        self.fields["import_file"].help_text = (
            f"CSV (UTF-8), XLSX or JSON, at most {max_bytes() // (1024 * 1024) or 1} MB. "
            "Several categories in one cell are separated by “ | ”."
        )

    def clean(self):
        cleaned = super().clean()
        upload, index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or index in (None, ""):
            return cleaned
        if upload.size > max_bytes():
            self.add_error("import_file", f"The file is {upload.size} bytes; the limit is {max_bytes()} bytes.")
            return cleaned
        try:
            file_format = self.import_formats[int(index)]
        except (IndexError, ValueError):
            self.add_error("format", "Choose one of the formats offered.")
            return cleaned
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            dataset_read(data=data, file_format=file_format)
        except ValidationError as error:
            self.add_error("import_file", error)
        return cleaned


class ReadOnlyAdminMixin:
    """A list to filter, import into and export from; rows are edited on their parent's page."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DataImportExportMixin(ImportMixin, ExportActionMixin):
    """Import (preview with per-row diff and errors, then confirm) and export, plus “Export selected”."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "factsheets/admin/import.html"
    import_form_class = FactsheetsImportForm
    tmp_storage_class = PendingImportStorage
    change_form_template = None
    show_change_form_export = False

    def _has_model_perm(self, request, action: str) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def has_import_permission(self, request):
        return self._has_model_perm(request, "add") and self._has_model_perm(request, "change")

    def has_export_permission(self, request):
        return self._has_model_perm(request, "view") or self._has_model_perm(request, "change")

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.pop("form", None)
        if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
            try:
                file_format = self.get_import_formats()[int(form.cleaned_data["format"])]
                kwargs["file_format"] = file_format().get_extension()
            except (KeyError, IndexError, TypeError, ValueError):
                pass
        return kwargs

    def get_export_filename(self, request, queryset, file_format):
        return super().get_export_filename(request, queryset, file_format).replace(
            self.model.__name__, self.opts.verbose_name_plural.replace(" ", "-")
        )

    def _import_page(self):
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        name = request.POST.get("import_file_name")
        if not pending_is_mine(session=request.session, name=name):
            messages.error(request, "This import is not waiting for your confirmation (it expired, was confirmed "
                                    "already, or was uploaded by someone else). Upload the file again.")
            return self._import_page()
        try:
            file_format = self.get_import_formats()[int(request.POST.get("format", ""))]
            data = PendingImportStorage(name=name, read_mode="rb").read()
            dataset_read(data=data, file_format=file_format)  # the same checks as at upload, on what is stored
        except (FileNotFoundError, IsADirectoryError):
            pending_forget(session=request.session, name=name)
            messages.error(request, "The uploaded file is no longer available; upload it again.")
            return self._import_page()
        except (ValueError, IndexError):
            messages.error(request, "Choose one of the formats offered and upload the file again.")
            return self._import_page()
        except ValidationError as error:
            pending_forget(session=request.session, name=name)
            pending_discard(name=name)
            messages.error(request, "The file was refused: " + " ".join(error.messages))
            return self._import_page()
        try:
            return super().process_import(request, **kwargs)
        finally:
            pending_forget(session=request.session, name=name)
            pending_discard(name=name)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse):
            context = response.context_data
            confirm = context.get("confirm_form")
            if confirm is not None and confirm.initial.get("import_file_name"):
                pending_remember(session=request.session, name=confirm.initial["import_file_name"])
            else:  # refused after the file was stored: nothing will confirm it
                upload = getattr(context.get("form"), "cleaned_data", {}).get("import_file")
                if getattr(upload, "tmp_storage_name", None):
                    pending_discard(name=upload.tmp_storage_name)
            if context.get("result") is not None:
                context["problems"] = import_problems(context["result"])
                context["changes"] = import_changes(context["result"])
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, "Nothing was imported: the data changed since the preview. See the errors below.")
            context = {
                **self.admin_site.each_context(request),
                "title": "Import",
                "opts": self.model._meta,
                "result": result,
                "problems": import_problems(result),
                "form": self.get_import_form_class(request)(
                    self.get_import_formats(), self.get_import_resource_classes(request)
                ),
                "import_error_display": self.import_error_display,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)
