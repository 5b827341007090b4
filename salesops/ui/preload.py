"""What the app server imports when it starts, so the first visitor after a restart does not.

A page's first run in a new server process imports the UI, the charts (Altair), pandas-heavy
domain modules and Alembic: about 3 s of CPU on this machine at the large scale, paid by
whoever opens the first page. serve.py imports them in its lifespan, before the server
answers (`streamlit run serve.py` is the way to deploy). It also starts the meeting
pack's chart renderer (vl-convert's JavaScript engine: 0.3 s CPU, ~50 MB), which the
Pipeline review otherwise starts in the background once drawn, while the next page a user
opens is loading. It then freezes what it imported
(`gc.freeze`): the ~180k objects of the modules stay out of every later full collection.
"""

from __future__ import annotations

import gc
import importlib
import sys
import time

# The modules every page's first run imports (pages/*.py and what they draw with).
PRELOADED = (
    "alembic.runtime.migration",
    "altair",
    "salesops.charts",
    "salesops.ui.call",
    "salesops.ui.cash",
    "salesops.ui.data",
    "salesops.ui.forecast",
    "salesops.ui.kpis",
    "salesops.ui.overview",
    "salesops.ui.pipeline_review",
    "salesops.ui.plan",
    "salesops.ui.territory",
    "salesops.ui.time_allocation",
    "salesops.pipeline_review.meeting_pack",
)


def preload() -> float:
    """Imports PRELOADED, starts the chart renderer and freezes the objects alive then.

    Returns the seconds it took.
    """
    started = time.perf_counter()
    for name in PRELOADED:
        importlib.import_module(name)
    from salesops.ui.pipeline_review import start_renderer

    start_renderer()
    gc.collect()  # what the imports left as garbage is freed, not frozen
    gc.freeze()
    seconds = time.perf_counter() - started
    print(f"  Preloaded the app's modules in {seconds:.1f} s.", file=sys.stderr)
    return seconds
