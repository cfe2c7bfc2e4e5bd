"""Gunicorn's settings for the web process: `gunicorn -c gunicorn.conf.py shaoguan.wsgi`.

Sized for a 2-core host behind nginx (docker-compose.yml, deploy/nginx.conf). Each number says why
it is what it is; the ones a deployment may need to turn are read from the environment.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from gunicorn import glogging

# Where to listen. In the compose stack nginx reaches the web container on its port 8000; nothing
# else is published.
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]

# Threaded workers. A request here spends most of its time waiting on PostgreSQL (and Redis, and
# WeChat or an SMS gateway during sign-in), not computing, so threads multiply what a worker
# serves at the cost of a little memory, where extra processes would cost a whole Django each.
worker_class = "gthread"
# One process per core: the GIL lets one thread compute at a time per process, so two processes
# keep both cores busy when pages render (templates, serializers). WEB_CONCURRENCY is the usual
# name (Heroku, the Docker images), so hosts that size it for us are obeyed.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# 8 threads per process = 16 requests in flight, which is about what the database side takes:
# pgbouncer's pool (DEFAULT_POOL_SIZE 20 in docker-compose.yml) covers them with room for the
# Celery worker. More threads would only queue inside PostgreSQL and hold more memory.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A CSV download of a year of the city's service records is streamed and may take minutes on a
# slow phone connection; with gthread the worker's heartbeat is not blocked by one slow request,
# but gunicorn still kills a worker silent for this long, so it is set well above the longest
# export. nginx's proxy_read_timeout (deploy/nginx.conf) matches it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
# On a deploy or restart (SIGTERM) a worker finishes the requests in flight for up to this long
# before being killed: long enough for ordinary pages and API calls (well under a second each) and
# a short download, short enough that a rolling restart does not hang. Docker's stop_grace_period
# for the web service (docker-compose.yml) is longer than this.
graceful_timeout = 30
# nginx keeps connections to us open (upstream keepalive in deploy/nginx.conf) and reuses them;
# gunicorn must wait longer than nginx's idle close so that it is never gunicorn that closes a
# connection nginx is about to reuse (a 502 for that request). nginx's upstream keepalive_timeout
# is 60 s by default; 75 s is beyond it.
keepalive = 75

# Recycle each worker after about a thousand requests, so slow leaks (a cache growing in a module,
# fragmentation) never grow unbounded; the jitter spreads the restarts so both workers do not
# restart at the same moment and leave no one to answer.
max_requests = 1000
max_requests_jitter = 100

# Load the application once in the master before forking: a missing SECRET_KEY (shaoguan.serving)
# then stops the master with one clear message instead of workers failing to boot in a loop, and
# the workers share the imported code's memory.
preload_app = True

# Gunicorn's heartbeat files go to memory: on Docker's overlay filesystem a write to /tmp can
# block for seconds under disk pressure, and a blocked heartbeat gets a healthy worker killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No control socket (gunicornc): Docker's signals manage the process (SIGTERM stops it gracefully,
# SIGHUP reloads), and its default path under $HOME is not writable by the image's user.
control_socket_disable = True

# Gunicorn's own messages to stderr, the access log to stdout, one JSON object a line.
errorlog = "-"
accesslog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JsonAccessLogger(glogging.Logger):
    """The access log as one JSON object per request (json.dumps quotes what a client sent).

    ``request_id`` is the X-Request-ID the application put on the response (the one nginx sent, or
    one it made), the same id the application's own log lines carry for that request."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        response_headers = {name.lower(): value for name, value in resp.headers}
        duration = request_time.total_seconds()
        line = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": response_headers.get("x-request-id") or environ.get("HTTP_X_REQUEST_ID", ""),
            "remote_addr": environ.get("HTTP_X_REAL_IP") or environ.get("REMOTE_ADDR", ""),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "status": int(str(resp.status).split(None, 1)[0]),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(duration * 1000, 1),
            "referer": environ.get("HTTP_REFERER", ""),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:
            self.exception("could not write the access log line")


logger_class = JsonAccessLogger
