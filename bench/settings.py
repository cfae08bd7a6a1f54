"""The app's own settings, plus a floor view and a per-request query count (bench process only)."""

from commonground.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
