"""gunicorn settings for Safety Points Mart: ``gunicorn -c deploy/gunicorn.conf.py`` (deploy/README.md).

Environment: MART_BIND (default 127.0.0.1:8000, behind nginx), MART_WORKERS (default 2 per CPU core, at
most 8), MART_THREADS (default 4). The app writes one log line a request itself (route patterns, never a
card's or a report's token), so gunicorn's own access log stays off.
"""

import os

wsgi_app = "app:create_app()"
bind = os.environ.get("MART_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MART_WORKERS") or min(2 * (os.cpu_count() or 1), 8))
threads = int(os.environ.get("MART_THREADS") or 4)
worker_class = "gthread"
timeout = 30  # a request that takes longer is stuck: the worker is replaced
graceful_timeout = 20
keepalive = 5  # kiosks keep their connection open between taps
# Workers are recycled now and then (a guard against slow leaks); the jitter keeps them from all going at once.
# Not too often: a new worker loads the app and warms its caches, and at 5,000 requests a busy counter lost
# about a third of its throughput to that (python -m tests.bench.http_load).
max_requests = 100_000
max_requests_jitter = 10_000
limit_request_line = 8190
forwarded_allow_ips = "127.0.0.1,::1"  # only nginx on this machine may say who the client is
accesslog = None
errorlog = "-"
loglevel = "info"
# gunicorn merges this into its own logging set-up (its "console" and "error_console" handlers stay): the
# app's loggers (mart.request: one line a request) reach the journal through the root logger on stderr.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        # No access log: its lines would carry the paths, card tokens (/c/...) and follow links (/r/h/...).
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}
