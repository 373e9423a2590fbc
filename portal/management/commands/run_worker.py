"""`manage.py run_worker`: the portal's background worker (CSV exports, Stringee), with its
housekeeping.

It is django-tasks-db's `db_worker` (every option of it applies: `--batch`, `--max-tasks`,
`--interval`, `--queue-name`...) plus a watchdog: at start, then every
EXPORT_STALLED_SECONDS / 4, exports whose worker stopped giving signs of life are queued again
(portal.exports.exports_requeue_stalled) and exports past their retention are removed
(exports_prune), outbound calls whose job was lost are queued again (or failed when too old:
portal.stringee.tasks.outbound_upkeep), the Stringee upkeep is queued when due
(portal.stringee.tasks.upkeep_if_due: every STRINGEE_SYNC_SECONDS, with an account connected), and
the apps' own jobs run (portal.worker_rounds: the call-log reconcile and the copies of recordings
due again, calls.tasks). Run as many workers as you like
(docs/deploy.md): each job is claimed by one.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from portal import exports
from portal.stringee.tasks import outbound_upkeep, upkeep_if_due
from portal.worker_rounds import run_rounds

logger = logging.getLogger(__name__)


def housekeeping() -> None:
    """One round: requeue stalled exports, remove old ones (errors are logged, not raised: the
    next round tries again)."""
    try:
        requeued = exports.exports_requeue_stalled()
        removed = exports.exports_prune()
        if requeued or removed:
            logger.warning("exports: %d queued again, %d removed", requeued, removed)
    except (DatabaseError, OSError):
        logger.exception("export housekeeping failed; trying again later")
    try:
        if upkeep_if_due():
            logger.info("stringee: upkeep queued")
        if lost := outbound_upkeep():
            logger.warning("stringee: %d outbound calls queued again", lost)
    except DatabaseError:
        logger.exception("queuing the Stringee upkeep failed; trying again later")
    run_rounds()  # the apps' own (portal.worker_rounds): call logs, recording copies


def _watch(every: float) -> None:
    """The watchdog thread: a round every `every` seconds, on a connection of its own."""
    while True:
        time.sleep(every)
        close_old_connections()
        housekeeping()
        connection.close()


class Command(db_worker.Command):
    help = (
        "Run the background worker (CSV exports, Stringee): django-tasks-db's db_worker, plus a "
        "watchdog that queues again the exports of a worker that stopped, removes expired ones "
        "and queues the Stringee upkeep when due."
    )

    def handle(self, *args, **options):
        reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloader_parent:  # the process that runs the tasks (not --reload's watcher)
            housekeeping()
            if not options.get("batch"):
                every = max(1.0, settings.EXPORT_STALLED_SECONDS / 4)
                threading.Thread(target=_watch, args=(every,), daemon=True).start()
        super().handle(*args, **options)
