"""Staff's CSV exports as background jobs (see portal.exports.files); the names the admin, the
worker and the commands use are re-exported here."""

from portal.exports.asking import (
    clean_params,
    describe_filters,
    describe_rows,
    export_downloaded,
    export_request,
    export_retry,
)
from portal.exports.building import csv_cell, export_build
from portal.exports.files import ExportProblem, export_file, problem_text, storage
from portal.exports.upkeep import exports_prune, exports_requeue_stalled

__all__ = [
    "ExportProblem",
    "clean_params",
    "csv_cell",
    "describe_filters",
    "describe_rows",
    "export_build",
    "export_downloaded",
    "export_file",
    "export_request",
    "export_retry",
    "exports_prune",
    "exports_requeue_stalled",
    "problem_text",
    "storage",
]
