"""Editorial records: revisions, audit entries, review comments, carry-forward issues, publications."""

from django.conf import settings
from django.db import models

from factsheets.models import Edition, Factsheet, NationalContact, Policy, Section, State


class Revision(models.Model):
    """A snapshot of a whole factsheet (texts, policies with selections, assessments, notes, references)."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["factsheet", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "number"], name="revision_unique_number"),
        ]

    def __str__(self):
        return f"{self.factsheet} revision {self.number}"


class AuditEntry(models.Model):
    """One thing that happened to a factsheet in the workflow: who, when, from which state to which."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submitted for review"
        REQUEST_CHANGES = "request_changes", "Changes requested"
        APPROVE = "approve", "Approved"
        PUBLISH = "publish", "Published"
        WITHDRAW = "withdraw", "Withdrawn"
        START_NEW_DRAFT = "start_new_draft", "New draft started"
        EDITED = "edited", "Edited after a decision"
        REVERT = "revert", "Reverted"
        CARRY_FORWARD = "carry_forward", "Carried forward"
        ASSIGN = "assign", "Assigned"
        VALIDATION_REQUEST = "validation_request", "Sent for national validation"
        VALIDATION_REVOKE = "validation_revoke", "National validation link revoked"
        PUBLISH_REQUESTED = "publish_requested", "Publishing requested"
        PUBLISH_FAILED = "publish_failed", "Publishing failed"
        PREPARED = "prepared", "Prepared for the edition's release"
        PREPARED_DISCARDED = "prepared_discarded", "Prepared version discarded"
        REOPEN_ASKED = "reopen_asked", "Asked for a new draft"

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notified = models.TextField(blank=True, help_text="Addresses notified by e-mail, one per line.")

    class Meta:
        ordering = ["factsheet", "-at", "-id"]
        verbose_name_plural = "audit entries"
        permissions = [
            ("submit_factsheet", "Can submit a factsheet for review"),
            ("review_factsheet", "Can approve a factsheet or request changes"),
            ("publish_factsheet", "Can publish and withdraw a factsheet"),
            ("reopen_factsheet", "Can start a new draft of a published or withdrawn factsheet"),
            ("open_edition", "Can open a new edition"),
            ("assign_factsheet", "Can assign factsheets to analysts and reviewers"),
            ("request_validation", "Can send factsheets for national validation and revoke the links"),
        ]

    def __str__(self):
        return f"{self.factsheet}: {self.action}"

    @property
    def notified_list(self) -> list[str]:
        return [line for line in self.notified.splitlines() if line]


class ReviewComment(models.Model):
    """A review comment on a factsheet, optionally about one section or one policy."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="review_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(max_length=5000)
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    policy_name = models.CharField(max_length=500, blank=True, help_text="Kept if the policy is deleted.")
    audit_entry = models.OneToOneField(
        AuditEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_comment"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["factsheet", "-created_at", "-id"]

    def __str__(self):
        return self.text[:80]

    @property
    def about(self) -> str:
        if self.policy_id or self.policy_name:
            return f"Policy “{self.policy.name if self.policy else self.policy_name}”"
        if self.section_id:
            return f"Section “{self.section}”"
        return ""


class CarryForwardIssue(models.Model):
    """Something of an earlier edition's factsheet that did not map onto the new edition."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="carry_forward_issues")
    source = models.ForeignKey(Factsheet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    where = models.CharField(max_length=600)
    message = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["factsheet", "id"]

    def __str__(self):
        return f"{self.where}: {self.message}"


def publication_upload_to(instance, filename):
    return f"publications/{instance.factsheet.edition.year}/{str(instance.factsheet.country.code).lower()}/{filename}"


class EditionRelease(models.Model):
    """An edition's release at a set time: its approved factsheets are prepared ahead (rendered and stored, not
    live), then made live together, in one transaction, by a worker when the time comes."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        RELEASED = "released", "Released"
        CANCELLED = "cancelled", "Cancelled"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="releases")
    scheduled_at = models.DateTimeField(help_text="The moment of the release (stored in UTC).")
    time_zone = models.CharField(max_length=64, help_text="The time zone the release was set in, e.g. "
                                                          "Europe/Brussels: its date and time are shown in it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_count = models.PositiveIntegerField(default=0, help_text="Factsheets made live by the release.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    problem = models.TextField(blank=True, help_text="Why the release has not happened yet, when it is due.")

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["edition"], condition=models.Q(status="scheduled"),
                                    name="edition_release_one_scheduled"),
        ]

    def __str__(self):
        return f"Release of the {self.edition.year} edition ({self.get_status_display().lower()})"

    @property
    def zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone)

    @property
    def local_time(self):
        """The release time in the time zone it was set in."""
        return self.scheduled_at.astimezone(self.zone)


class PublicationQuerySet(models.QuerySet):
    def released(self):
        """Versions that have been public (withdrawn ones included): none prepared for a release to come."""
        return self.filter(embargoed=False)

    def live(self):
        """Versions the public may see: released and not withdrawn. Every public read goes through here."""
        return self.filter(withdrawn_at__isnull=True, embargoed=False)


class Publication(models.Model):
    """An immutable published version (1, 2, …) of a factsheet, with the PDF rendered at publishing."""

    objects = PublicationQuerySet.as_manager()

    factsheet = models.ForeignKey(Factsheet, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(upload_to=publication_upload_to, max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="publications",
        help_text="The approved revision this version was rendered from.",
    )
    page_html = models.TextField(
        blank=True, help_text="The factsheet as a web page, rendered from the same document as the PDF at publishing.",
    )
    release = models.ForeignKey(EditionRelease, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="publications", help_text="The release it was prepared for.")
    embargoed = models.BooleanField(default=False, db_index=True,
                                    help_text="Prepared for a release to come: not public until the release.")
    note = models.CharField(max_length=500, blank=True, help_text="The public note on this version (what it "
                                                                 "corrects), from its approved revision.")
    dated = models.DateField(null=True, blank=True, help_text="The date its PDF prints.")

    class Meta:
        ordering = ["factsheet", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "number"], name="publication_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="publication_number_positive"),
        ]

    def __str__(self):
        return f"{self.factsheet} v{self.number}"

    @property
    def file_name(self) -> str:
        country = self.factsheet.country.name.replace(" ", "-")
        return f"ECCP-Country-Factsheet-{country}-{self.factsheet.edition.year}.pdf"


class PublishJob(models.Model):
    """One request to publish a factsheet's approved revision, carried out by a task worker: queued, running
    (rendering), done (live as `publication`) or failed (the factsheet stays approved, the error is kept)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        DONE = "done", "Published"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="publish_jobs")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    batch = models.CharField(max_length=32, blank=True, db_index=True, help_text="Set when an edition is "
                             "published in one action: the jobs of one action share it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    publication = models.OneToOneField(Publication, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="job")
    release = models.ForeignKey(EditionRelease, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="jobs", help_text="Set when the job prepares a version for a release.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # At most one job in flight per factsheet: a second Publish waits for the first to finish.
            models.UniqueConstraint(fields=["factsheet"], condition=models.Q(status__in=["queued", "running"]),
                                    name="publish_job_one_active_per_factsheet"),
        ]

    def __str__(self):
        return f"Publishing {self.factsheet} ({self.get_status_display().lower()})"


def summary_upload_to(instance, filename):
    return f"summaries/{instance.edition.year}/{filename}"


class EditionSummary(models.Model):
    """An edition's summary report (its HTML body and its PDF) for one set of live versions, rendered once when
    that set is published or prepared for a release, never on a reader's request. The set is named by its
    fingerprint (the countries and the revisions they show), so a summary prepared for a release is reachable
    only once the release has made exactly that set live."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="summaries")
    fingerprint = models.CharField(max_length=64)
    html = models.TextField()
    pdf = models.FileField(upload_to=summary_upload_to, max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "fingerprint"], name="edition_summary_unique_fingerprint"),
        ]

    def __str__(self):
        return f"Summary report of the {self.edition.year} edition ({self.fingerprint[:8]})"


class ValidationRequest(models.Model):
    """A factsheet sent to one national contact for validation through a private link (its token is stored only
    as a hash), bound to the revision that was current when it was sent."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", "I confirm this factsheet"
        CORRECTIONS = "corrections", "Corrections needed"

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="validation_requests")
    contact = models.ForeignKey(NationalContact, on_delete=models.PROTECT, related_name="validation_requests")
    contact_label = models.CharField(max_length=600, help_text="Who was asked, as they were when asked.")
    contact_email = models.EmailField()
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(max_length=5000, blank=True)
    deadline = models.DateField()
    token_hash = models.CharField(max_length=64, unique=True)
    reminder_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="The link sent again with the reminder.",
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True, help_text="When staff read the latest answer.")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When staff were last e-mailed its answers.")
    digest_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the answers given since the last e-mail go out in one (debounce).",
    )

    class Meta:
        ordering = ["factsheet", "-sent_at", "-id"]

    def __str__(self):
        return f"{self.factsheet} to {self.contact_label}"


class ValidationOpening(models.Model):
    """One opening of a validation link: the time only (no IP address; see the page's privacy notice)."""

    request = models.ForeignKey(ValidationRequest, on_delete=models.CASCADE, related_name="openings")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "-at"]

    def __str__(self):
        return f"{self.request} opened {self.at:%Y-%m-%d %H:%M}"


class ValidationAnswer(models.Model):
    """What a national contact said, kept as they said it (plain text): about one section, or (no section) the
    verdict on the whole factsheet. Answers are added, never changed, so the timeline keeps each one."""

    class Status(models.TextChoices):
        CORRECT = "correct", "Correct"
        CORRECTION = "correction", "Correction proposed"
        CONFIRMED = "confirmed", "I confirm this factsheet"
        CORRECTIONS = "corrections", "Corrections needed"

    request = models.ForeignKey(ValidationRequest, on_delete=models.CASCADE, related_name="answers")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    section_title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(max_length=5000, blank=True)
    suggested_text = models.TextField(max_length=20000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "created_at", "id"]

    def __str__(self):
        return f"{self.request}: {self.get_status_display()}"
