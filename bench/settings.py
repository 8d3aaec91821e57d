"""The product's settings plus one bench-only URL: the trivial view every figure is compared to."""

from tiejun.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
