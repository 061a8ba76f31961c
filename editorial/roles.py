"""The editorial roles (groups) and the model permissions each one holds."""

ANALYST, REVIEWER, EDITOR = "Analyst", "Reviewer", "Editor"

_CONTENT = ["factsheet", "policy", "assessment", "qualitativeassessment", "footnote", "reference"]
_METHODOLOGY = ["edition", "section", "category", "criterion", "level", "topic", "country"]

# group -> list of (app_label, codename)
ROLE_PERMISSIONS = {
    ANALYST: [("factsheets", f"{action}_{model}") for model in _CONTENT for action in ("add", "change", "view")]
    + [("factsheets", f"delete_{model}") for model in _CONTENT if model != "factsheet"]
    + [("factsheets", f"view_{model}") for model in _METHODOLOGY],
    REVIEWER: [("factsheets", f"view_{model}") for model in _CONTENT + _METHODOLOGY],
    EDITOR: [("factsheets", f"{action}_{model}") for model in _CONTENT + _METHODOLOGY
             for action in ("add", "change", "view", "delete")],
}
