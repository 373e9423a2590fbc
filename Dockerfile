# The portal as `make serve` runs it: gunicorn (portal/gunicorn_conf.py), DEBUG off, static files
# collected at build time and served by WhiteNoise. Configuration comes from the environment.
# The same image runs the background worker: `python manage.py run_worker` (compose's `worker`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/portal-metrics

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic and compilemessages (the Vietnamese catalogue, locale/vi/…/django.mo) need no
# database; the throwaway key never leaves this build step.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
    && SECRET_KEY=build-only python manage.py compilemessages -v0 \
    && useradd --system --uid 10001 --home /app portal \
    && mkdir -p /app/exports \
    && chown -R portal /app/staticfiles /app/exports

USER portal
EXPOSE 8000
# The probe sends the first of ALLOWED_HOSTS as its Host, so Django does not refuse it (400).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request as u; u.urlopen(u.Request(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', headers={'Host': os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0]}), timeout=2)"

# Refuse an insecure configuration, start with an empty metrics directory, then serve.
# Migrations are a separate one-off step (compose's `migrate` service), not every replica's start.
CMD ["sh", "-c", "python manage.py check_production && rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec gunicorn portal.wsgi -c python:portal.gunicorn_conf -b 0.0.0.0:$PORT"]
