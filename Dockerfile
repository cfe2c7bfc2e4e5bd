# syntax=docker/dockerfile:1
# The platform's image: gunicorn (the default command), and the same image runs the Celery worker,
# beat and the one-shot migrations (docker-compose.yml). Build: `docker build -t shaoguan-whistle .`

# --- builder: every requirement as a wheel, so the runtime needs no compiler and no index ---------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

# --- runtime: Python, the wheels installed, the code, the collected static files -------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=shaoguan.settings \
    LOG_FORMAT=json \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# A user of its own: the code is root's and read-only to it; it writes only media and beat's schedule.
RUN groupadd --system --gid 10001 whistle \
    && useradd --system --uid 10001 --gid whistle --no-create-home --home-dir /app --shell /usr/sbin/nologin whistle

WORKDIR /app
COPY requirements.txt .
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels -r requirements.txt

COPY . .
# Hashed and gzipped static files with their manifest (STATIC_MANIFEST is on without DEBUG). A
# management command runs on the development key; only serving refuses it (shaoguan/serving.py),
# so no key is baked into the image. The directories the app writes are its own; a named volume
# mounted on one of them starts with its owner (the `migrate` service copies the static files into
# /srv/static, the volume nginx serves).
RUN python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media /app/protected /var/lib/celery /srv/static \
    && chown 10001:10001 /app/media /app/protected /var/lib/celery /srv/static

USER 10001:10001
EXPOSE 8000
# /healthz through gunicorn: the database, Redis and a worker's heartbeat (core/health.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "shaoguan.wsgi"]
