"""The editorial roles (groups) and the permissions each one holds."""

ANALYST, REVIEWER, EDITOR = "Analyst", "Reviewer", "Editor"
ROLES = [ANALYST, REVIEWER, EDITOR]

_CONTENT = ["factsheet", "policy", "assessment", "qualitativeassessment", "footnote", "reference"]
_METHODOLOGY = ["edition", "section", "category", "criterion", "level", "topic", "country"]

# group -> list of (app_label, codename); model permissions of the factsheets app (migration 0001_roles).
ROLE_PERMISSIONS = {
    ANALYST: [("factsheets", f"{action}_{model}") for model in _CONTENT for action in ("add", "change", "view")]
    + [("factsheets", f"delete_{model}") for model in _CONTENT if model != "factsheet"]
    + [("factsheets", f"view_{model}") for model in _METHODOLOGY],
    REVIEWER: [("factsheets", f"view_{model}") for model in _CONTENT + _METHODOLOGY],
    EDITOR: [("factsheets", f"{action}_{model}") for model in _CONTENT + _METHODOLOGY
             for action in ("add", "change", "view", "delete")],
}

_RECORDS = ["revision", "auditentry", "reviewcomment", "carryforwardissue", "publication"]

# group -> list of (app_label, codename); the workflow permissions (migration 0004_workflow_roles).
WORKFLOW_PERMISSIONS = {
    ANALYST: [("editorial", "submit_factsheet"), ("editorial", "add_reviewcomment")]
    + [("editorial", f"view_{model}") for model in _RECORDS],
    REVIEWER: [("editorial", "review_factsheet"), ("editorial", "add_reviewcomment")]
    + [("editorial", f"view_{model}") for model in _RECORDS],
    EDITOR: [("editorial", codename) for codename in (
        "submit_factsheet", "review_factsheet", "publish_factsheet", "open_edition", "add_reviewcomment",
    )] + [("editorial", f"view_{model}") for model in _RECORDS],
}
# Editors hold every editorial permission: the workflow ones above and the records' model permissions.
WORKFLOW_PERMISSIONS[EDITOR] += [
    ("editorial", f"{action}_{model}") for model in _RECORDS for action in ("add", "change", "delete")
    if (action, model) != ("add", "reviewcomment")
]

# group -> list of (app_label, codename); reopening published factsheets is for editors (migration 0008).
REOPEN_PERMISSIONS = {EDITOR: [("editorial", "reopen_factsheet")]}

# group -> list of (app_label, codename); assigning factsheets is for editors (migration 0011).
ASSIGN_PERMISSIONS = {EDITOR: [("editorial", "assign_factsheet")]}

# group -> list of (app_label, codename); national validation (migration 0013): analysts and editors keep the
# contacts and send requests, everyone sees them. Requests, openings and answers are records written by the
# validation service only: nobody holds add/change/delete on them, not even editors.
_CONTACT = [("factsheets", f"{action}_nationalcontact") for action in ("add", "change", "view", "delete")]
VALIDATION_PERMISSIONS = {
    ANALYST: [("editorial", "request_validation"), ("editorial", "view_validationrequest"), *_CONTACT],
    EDITOR: [("editorial", "request_validation"), *_CONTACT]
    + [("editorial", f"view_{model}") for model in ("validationrequest", "validationanswer", "validationopening")],
    REVIEWER: [("editorial", "view_validationrequest"), ("factsheets", "view_nationalcontact")],
}

# group -> list of (app_label, codename); publish jobs are written by the publishing service and its workers only;
# everyone sees them (migration 0016).
PUBLISH_JOB_PERMISSIONS = {role: [("editorial", "view_publishjob")] for role in ROLES}

# group -> list of (app_label, codename); edition releases and stored summaries are written by their services
# only, everyone sees them; editors keep each edition's completeness rules (migration 0019).
RELEASE_PERMISSIONS = {
    role: [("editorial", "view_editionrelease"), ("editorial", "view_editionsummary"),
           ("factsheets", "view_completenessrule")]
    + ([("factsheets", f"{action}_completenessrule") for action in ("add", "change", "delete")]
       if role == EDITOR else [])
    for role in ROLES
}

# group -> list of (app_label, codename); the record of bulk imports (migration 0005_import_roles).
IMPORT_PERMISSIONS = {role: [("factsheets", "view_dataimport")] for role in ROLES}

# Every grant, in migration order (the test suite restores them after flushes).
ALL_GRANTS = [ROLE_PERMISSIONS, WORKFLOW_PERMISSIONS, IMPORT_PERMISSIONS, REOPEN_PERMISSIONS, ASSIGN_PERMISSIONS,
              VALIDATION_PERMISSIONS, PUBLISH_JOB_PERMISSIONS, RELEASE_PERMISSIONS]


def grant(apps, role_permissions: dict[str, list[tuple[str, str]]]) -> None:
    """Give each role (group) its permissions; for data migrations, with the historical `apps`."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module, which create_permissions would take as "no models".
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, role_permissions: dict[str, list[tuple[str, str]]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in role_permissions.items():
        for group in Group.objects.filter(name=name):
            for app_label, codename in perms:
                group.permissions.remove(
                    *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
                )
