"""Settings of the benchmarked portal: the production settings plus the baseline view's URL.

Only the bench uses this module (`DJANGO_SETTINGS_MODULE=bench.settings`), so the baseline
view is never reachable in the real portal.
"""

from portal.settings import *

ROOT_URLCONF = "bench.urls"

# The baselines are treated as webhooks (same middleware path), so that the comparison is like
# for like.
WEBHOOK_PATH_PREFIXES = (*WEBHOOK_PATH_PREFIXES, "/bench/")
