"""Call events, call records (CDRs) and recordings: each tenant's log of what its calls did.

Nothing here is edited by people. Events are stored as Stringee sent them; a call's record is
derived from its events (see calls.ingest); recordings arrive on their own callback.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Project, VirtualNumber
from portal.phone import E164Field

CALL_EVENT_TYPE = "stringee_call"


# What a call record says, in the order staff and programs read it (admin CSV export, API).
RECORD_PARTIES = ("direction", "status", "from_number", "from_user", "to_number", "to_user")
RECORD_OUTCOME = (
    "started_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "talk_seconds",
    "end_cause",
    "ended_by",
)
# What Stringee's call log adds (calls.reconcile): the charge and whether the log filled the record.
RECORD_CALL_LOG = ("amount", "call_log")
# Stringee (Vietnam) bills in Vietnamese đồng; the call log's `amount` names no currency.
CURRENCY = "VND"


class CallEvent(models.Model):
    """One POST to the event_url, stored once however often Stringee retries it."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    # No index of its own: (project, received_at) and the unique keys start with the project.
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="call_events",
        verbose_name=_("project"),
        db_index=False,
    )
    call_id = models.CharField(max_length=128, verbose_name=_("call id"))
    status = models.CharField(
        max_length=32,
        blank=True,
        help_text=_("`call_status` (or a room event's `event`)."),
        verbose_name=_("status"),
    )
    type = models.CharField(max_length=32, default=CALL_EVENT_TYPE, verbose_name=_("type"))
    timestamp_ms = models.BigIntegerField(
        null=True,
        help_text=_("Epoch milliseconds Stringee gave the event."),
        verbose_name=_("timestamp ms"),
    )
    occurred_at = models.DateTimeField(null=True, blank=True, verbose_name=_("occurred at"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    event_id = models.CharField(
        max_length=128,
        blank=True,
        default="",
        help_text=_("Stringee's `event_id` (unique per event)."),
        verbose_name=_("event id"),
    )
    serial = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=_("Stringee's `serial` (sequence number)."),
        verbose_name=_("serial"),
    )
    payload = models.JSONField(verbose_name=_("payload"))

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["-received_at", "-id"]
        constraints = [
            # Stringee retries a POST that did not get its 200: the repeat is the same event.
            models.UniqueConstraint(
                fields=["project", "event_id"],
                condition=~models.Q(event_id=""),
                name="call_event_id_once",
            ),
            models.UniqueConstraint(
                fields=["project", "call_id", "status", "timestamp_ms"],
                condition=models.Q(event_id=""),
                name="call_event_once",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "received_at"], name="call_event_project_received"),
            models.Index(fields=["received_at"], name="call_event_received"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.status}"


class CallLogUse(models.TextChoices):
    """What Stringee's call log did to a call record (calls.reconcile)."""

    NONE = "", _("Nothing: the call events told everything")
    ADDED = "added", _("Added from Stringee's call log: no call event arrived")
    COMPLETED = "completed", _("Completed from Stringee's call log: its end event never arrived")


class CallRecord(models.Model):
    """The call detail record: one per call id and project, derived from the call's events."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        BUSY = "busy", _("Busy")
        NO_ANSWER = "no_answer", _("No answer")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    class Direction(models.TextChoices):
        APP_TO_APP = "app_to_app", _("App → app")
        APP_TO_PHONE = "app_to_phone", _("App → phone")
        PHONE_TO_APP = "phone_to_app", _("Phone → app")
        PHONE_TO_PHONE = "phone_to_phone", _("Phone → phone")
        UNKNOWN = "unknown", _("Unknown")

    # No index of its own: the unique (project, call id) and the other indexes start with it.
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="call_records",
        verbose_name=_("project"),
        db_index=False,
    )
    call_id = models.CharField(max_length=128, verbose_name=_("call id"))
    direction = models.CharField(
        max_length=16,
        choices=Direction.choices,
        default=Direction.UNKNOWN,
        verbose_name=_("direction"),
    )
    from_number = E164Field(blank=True, verbose_name=_("from number"))
    to_number = E164Field(blank=True, verbose_name=_("to number"))
    from_user = models.CharField(_("from user"), max_length=128, blank=True)
    to_user = models.CharField(_("to user"), max_length=128, blank=True)
    virtual_number = models.ForeignKey(
        VirtualNumber,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
        verbose_name=_("virtual number"),
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    ring_seconds = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("ring seconds")
    )
    talk_seconds = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("talk seconds")
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, verbose_name=_("status")
    )
    end_cause = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("`endCallCause` as Stringee sent it."),
        verbose_name=_("end cause"),
    )
    ended_by = models.CharField(max_length=64, blank=True, verbose_name=_("ended by"))
    recording_url = models.URLField(max_length=1000, blank=True, verbose_name=_("recording url"))
    is_test = models.BooleanField(
        _("test call"),
        default=False,
        db_default=False,  # rows written by raw INSERTs (the bench's data) are real calls
        editable=False,
        help_text=_(
            "Placed by the call emulator (Try a call, manage.py try_call), not by a real caller: "
            "shown in the call log, left out of the dashboard and of exports."
        ),
    )
    # Written only by calls.reconcile, never by the fold: an event folded later leaves them be.
    # Both have a database default, because the fold's INSERT (calls.fold) does not name them.
    amount = models.DecimalField(
        _("charge (VND)"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("What Stringee charged for the call, from its call log."),
    )
    call_log = models.CharField(
        _("Stringee call log"),
        max_length=12,
        choices=CallLogUse.choices,
        blank=True,
        default=CallLogUse.NONE,
        db_default=CallLogUse.NONE,
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    # Fold state (calls.fold): what the user-visible fields above are computed from. Times are
    # epoch microseconds; a *_key is the canonical key (cdr.event_key) of the event that gave a
    # "first value wins" field ("" for none yet), so a later-arriving but canonically earlier
    # event replaces it.
    first_us = models.BigIntegerField(null=True, editable=False)
    ringing_us = models.BigIntegerField(null=True, editable=False)
    answered_event_us = models.BigIntegerField(null=True, editable=False)
    ended_us = models.BigIntegerField(null=True, editable=False)
    end_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    end_answered_us = models.BigIntegerField(null=True, editable=False)
    end_talk_seconds = models.IntegerField(null=True, editable=False)
    end_unanswered_status = models.CharField(max_length=12, blank=True, editable=False)
    from_number_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    to_number_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    from_user_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    to_user_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    direction_key = models.CharField(max_length=40, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "call_id"], name="one_record_per_call"),
        ]
        # Every event rewrites its record's row and so every index holding a changed column: a
        # (project, started_at) index would repeat the dashboard's, which starts with both.
        indexes = [
            models.Index(fields=["started_at"], name="call_record_started"),
            models.Index(fields=["project", "created_at"], name="call_record_project_created"),
            models.Index(  # covers the dashboard's grouped counts (calls.dashboard)
                fields=[
                    "project",
                    "started_at",
                    "status",
                    "direction",
                    "virtual_number",
                    "ring_seconds",
                    "talk_seconds",
                    "from_user",
                    "to_user",
                    "is_test",  # the dashboard leaves test calls out, still from the index
                    "amount",
                ],
                name="call_record_dashboard",
            ),
        ]

    def __str__(self) -> str:
        return self.call_id

    @property
    def routing(self) -> list[dict]:
        """What the answer_url (and its callbacks) decided for this call, in order."""
        return [row.decision for row in self.decisions.all()]


class CallDecision(models.Model):
    """One routing decision (answer_url, IVR step, on-fail, ring step) collected for a call."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="call_decisions", verbose_name=_("project")
    )
    call_id = models.CharField(max_length=128, verbose_name=_("call id"))
    token = models.CharField(max_length=32, help_text=_("Id given when the decision was parked."))
    parked_us = models.BigIntegerField(
        help_text=_("Epoch microseconds when the decision was made.")
    )
    decision = models.JSONField(verbose_name=_("decision"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    record = models.ForeignObject(
        CallRecord,
        on_delete=models.DO_NOTHING,
        from_fields=["project", "call_id"],
        to_fields=["project", "call_id"],
        related_name="decisions",
    )

    class Meta:
        verbose_name = _("call decision")
        verbose_name_plural = _("call decisions")
        ordering = ["parked_us", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "token"], name="call_decision_once"),
        ]
        indexes = [
            models.Index(fields=["project", "call_id", "parked_us"], name="call_decision_call"),
            models.Index(fields=["project", "created_at"], name="call_decision_project_created"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.call_id} {self.decision.get('rule_name') or self.decision.get('reason') or ''}"
        )


class CopyStatus(models.TextChoices):
    """Where the portal's copy of a recording stands (blank: the project keeps none)."""

    WAITING = "waiting", _("waiting to be copied")
    KEPT = "kept", _("kept in the portal")
    FAILED = "failed", _("copy failed")


class Recording(models.Model):
    """A recording Stringee made for a `record` / `recordMessage` action."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("project")
    )
    call = models.ForeignKey(
        CallRecord, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("call")
    )
    url = models.URLField(max_length=1000, verbose_name=_("url"))
    duration_seconds = models.FloatField(null=True, blank=True, verbose_name=_("duration seconds"))
    format = models.CharField(max_length=8, blank=True, verbose_name=_("format"))
    payload = models.JSONField(verbose_name=_("payload"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    # The portal's own copy (projects that keep one; calls.copies): its name in the
    # "recordings" storage, and how copying went.
    copy_name = models.CharField(_("copy in the portal"), max_length=300, blank=True)
    copy_status = models.CharField(
        _("copy"), max_length=8, choices=CopyStatus.choices, blank=True, default=""
    )
    copy_error = models.CharField(_("why the copy failed"), max_length=300, blank=True)
    copy_attempts = models.PositiveSmallIntegerField(_("copy attempts"), default=0)
    copy_next_try_at = models.DateTimeField(_("next copy attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "url"], name="recording_once"),
        ]
        indexes = [
            # The worker's round finds the copies due without reading every recording.
            models.Index(
                fields=["copy_next_try_at"],
                condition=models.Q(copy_status__in=["waiting", "failed"]),
                name="recording_copy_due",
            ),
        ]

    def __str__(self) -> str:
        # Not the link: it may carry a password or a token, and titles and logs show this.
        return str(_("Recording %(number)s")) % {"number": self.pk}


class RollupSpan(models.Model):
    """The local days (in one time zone) of a project whose calls are counted into daily rollups.

    The days from `first_day` to `last_day` each have their rows below (none for a day without
    calls); see calls.rollups.
    """

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    time_zone = models.CharField(max_length=64, verbose_name=_("time zone"))
    first_day = models.DateField(verbose_name=_("first day"))
    last_day = models.DateField(verbose_name=_("last day"))
    counted_at = models.DateTimeField(auto_now=True, verbose_name=_("counted at"))

    class Meta:
        verbose_name = _("counted days")
        verbose_name_plural = _("counted days")
        constraints = [
            models.UniqueConstraint(fields=["project", "time_zone"], name="rollup_span_once"),
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day")), name="rollup_span_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.time_zone} {self.first_day}–{self.last_day}"


class DayRollup(models.Model):
    """What the rows of a finished local day share: whose calls, in which time zone, which day."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    time_zone = models.CharField(max_length=64, verbose_name=_("time zone"))
    day = models.DateField(verbose_name=_("day"))

    class Meta:
        abstract = True


class DailyCallCount(DayRollup):
    """The calls of a finished local day with one status, direction and number: how many, and
    the sums behind the average ring and talk times."""

    status = models.CharField(
        max_length=12, choices=CallRecord.Status.choices, verbose_name=_("status")
    )
    direction = models.CharField(
        max_length=16, choices=CallRecord.Direction.choices, verbose_name=_("direction")
    )
    virtual_number = models.ForeignKey(
        VirtualNumber,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("virtual number"),
    )
    calls = models.PositiveIntegerField(verbose_name=_("calls"))
    ring_seconds = models.BigIntegerField(verbose_name=_("ring seconds"))
    ring_calls = models.PositiveIntegerField(verbose_name=_("calls with a ring time"))
    talk_seconds = models.BigIntegerField(verbose_name=_("talk seconds"))
    talk_calls = models.PositiveIntegerField(verbose_name=_("calls with a talk time"))
    amount = models.DecimalField(
        _("charges (VND)"), max_digits=22, decimal_places=4, default=0, db_default=0
    )

    class Meta:
        verbose_name = _("daily call count")
        verbose_name_plural = _("daily call counts")
        indexes = [
            models.Index(fields=["project", "time_zone", "day"], name="daily_call_count_project"),
            models.Index(fields=["time_zone", "day"], name="daily_call_count_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status} {self.direction}: {self.calls}"


class DailyAppUserCount(DayRollup):
    """The calls an app user made or received on a finished local day."""

    user_id = models.CharField(max_length=128, verbose_name=_("app user id"))
    calls = models.PositiveIntegerField(verbose_name=_("calls"))

    class Meta:
        verbose_name = _("daily app user call count")
        verbose_name_plural = _("daily app user call counts")
        indexes = [
            models.Index(
                fields=["project", "time_zone", "day"], name="daily_app_user_count_project"
            ),
            models.Index(fields=["time_zone", "day"], name="daily_app_user_count_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}: {self.calls}"


class CallLogCheck(models.Model):
    """One reading of a project's Stringee call log (calls.reconcile): the span read, what it
    changed, or why it failed. The worker reads again when the latest is STRINGEE_CALL_LOG_SECONDS
    old (calls.tasks)."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    since = models.DateTimeField(verbose_name=_("calls since"))
    until = models.DateTimeField(verbose_name=_("calls until"))
    ok = models.BooleanField(default=False, verbose_name=_("read"))
    error = models.CharField(max_length=255, blank=True, verbose_name=_("why it failed"))
    rows = models.PositiveIntegerField(default=0, verbose_name=_("calls in the log"))
    added = models.PositiveIntegerField(default=0, verbose_name=_("calls added"))
    completed = models.PositiveIntegerField(default=0, verbose_name=_("calls completed"))
    priced = models.PositiveIntegerField(default=0, verbose_name=_("charges stored"))
    ignored = models.PositiveIntegerField(default=0, verbose_name=_("rows ignored"))

    class Meta:
        verbose_name = _("call log reading")
        verbose_name_plural = _("call log readings")
        indexes = [models.Index(fields=["project", "started_at"], name="call_log_check_latest")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.started_at:%Y-%m-%d %H:%M}"
