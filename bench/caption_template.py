"""Benchmark (run by hand): an edition caption template with format specs, as an attacker would write it (issue 17.21).
`.venv/bin/python bench/caption_template.py [WIDTH]` fills `{title:>WIDTH}` three times and prints time, output length
and the process's peak memory; the caption is printed as written (54 characters) whatever WIDTH is."""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from editorial.rendering.document import caption  # noqa: E402

width = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000_000
start = time.perf_counter()
template = "{title:>" + str(width) + "}"
out = caption(template * 3, number=1, country="Mexico", title="State of play")
print(f"width {width:,}: {time.perf_counter() - start:.3f} s, {len(out):,} characters, "
      f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
