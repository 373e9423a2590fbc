"""WSGI entry point (gunicorn portal.wsgi).

What loading the application creates (modules, settings, URL patterns: about 140,000 objects)
lives as long as the worker, so it is moved out of the garbage collector's sight (`gc.freeze`):
a full collection then scans only what requests and the routing copies made since. On a worker
holding the routing of 1,000 tenants, a full collection takes ~36 ms instead of ~125 ms, a pause
every request in flight waits behind (BENCHMARKS.md, "Web worker memory").
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
gc.freeze()
