"""What the app server imports when it starts, so the first visitor after a restart does not.

A page's first run in a new server process imports the UI, the charts (Altair), pandas-heavy
domain modules and Alembic: about 3 s of CPU on this machine at the large scale, paid by
whoever opens the first page. serve.py imports them in its lifespan, before the server
answers (`streamlit run serve.py` is the way to deploy). It also starts the meeting
pack's chart renderer (vl-convert's JavaScript engine: 0.3 s CPU, ~50 MB), which the
Pipeline review otherwise starts in the background once drawn, while the next page a user
opens is loading. It then freezes what it imported
(`gc.freeze`): the ~180k objects of the modules stay out of every later full collection.

Then, in a background thread (the server answers at once), `start_warming` reads what
several pages' first runs read before anything else (the schema's state, the filters'
choices, the last days of the deal history and of orders: 0.3 s at 1M deals) into the cache
entries a viewer who sees everything then finds: the first page opened after a restart
(usually the Overview) no longer pays them.
"""

from __future__ import annotations

import gc
import importlib
import sys
import time
from collections.abc import Callable
from threading import Thread

# The modules every page's first run imports (pages/*.py and what they draw with).
PRELOADED = (
    "alembic.runtime.migration",
    "altair",
    "salesops.charts",
    "salesops.db.stored_results",
    "salesops.kpis.ranking",
    "salesops.ui.bootstrap",
    "salesops.ui.theme",
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

    _first_chart_and_element()
    start_renderer()
    gc.collect()  # what the imports left as garbage is freed, not frozen
    gc.freeze()
    seconds = time.perf_counter() - started
    print(f"  Preloaded the app's modules in {seconds:.1f} s.", file=sys.stderr)
    return seconds


def _first_chart_and_element() -> None:
    """Does once what the first chart and the first element in a process do first.

    A chart's first conversion imports the dataframe adapters Altair converts data with,
    and Streamlit's first element checks whether it runs in a Python REPL (inspect.stack(),
    which maps every loaded module to its file): ~0.1 s of CPU together, paid by the first
    page after a restart. The check prints nothing in a server.
    """
    import altair as alt
    import pandas as pd
    from streamlit import delta_generator

    chart = alt.Chart(pd.DataFrame({"x": [0.0], "y": ["a"]})).mark_bar()
    chart.encode(x="x", y="y").to_dict(validate=False)
    warn_once = getattr(delta_generator, "_maybe_print_use_warning", None)  # private: may go
    if warn_once is not None:
        warn_once()


def shared_reads() -> tuple[Callable, ...]:
    """Returns the reads several pages' first runs make before anything else (whole company).

    The filters' choices (every page with filters) and the last days of the deal history
    (Overview, Pipeline review) and of orders (Overview, Order to cash).
    """
    from salesops.repository import Repository
    from salesops.ui.filters import CHOICE_READS

    return (*CHOICE_READS, Repository.history_bounds, Repository.order_bounds)


def warm_shared_reads() -> str:
    """Reads the schema's state and `shared_reads` into the pages' cache (whole company).

    Only when the database answers and its schema is current. Returns the one line it logs:
    what it read and in how long, or why it read nothing more. Never raises.
    """
    started = time.perf_counter()
    try:
        from salesops.db.engine import outdated_schema
        from salesops.repository import Repository
        from salesops.ui.cache import whole_company_call

        problem = outdated_schema(whole_company_call(Repository.schema_state))
        for read in shared_reads() if problem is None else ():
            whole_company_call(read)
    except Exception as exc:  # the first page meets it again and says it in its own words
        from salesops.redact import mask_secrets

        problem = mask_secrets(f"{type(exc).__name__}: {exc}".splitlines()[0])
    seconds = time.perf_counter() - started
    line = (
        f"  Read the filters' choices and data bounds in {seconds:.1f} s."
        if problem is None
        else f"  Did not read the filters' choices ahead: {problem}"
    )
    print(line, file=sys.stderr)
    return line


def start_warming() -> Thread:
    """Starts warm_shared_reads in a daemon thread and returns the thread (already started)."""
    thread = Thread(target=warm_shared_reads, name="warm shared reads", daemon=True)
    thread.start()
    return thread
