"""Drawing Altair charts: one helper so every page skips the same redundant work.

Streamlit converts a chart with `chart.to_dict()`, which validates the whole Vega-Lite spec
against its JSON schema: 20-70 ms per chart, a page's largest server cost once its data is
cached (issue 21). The builders in salesops.charts are fixed code whose specs their tests
validate, so pages draw them unvalidated.
"""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

import altair as alt
import streamlit as st

Chart = TypeVar(
    "Chart", alt.Chart, alt.LayerChart, alt.HConcatChart, alt.VConcatChart, alt.ConcatChart,
    alt.FacetChart, alt.RepeatChart,
)  # fmt: skip


def unvalidated(chart: Chart) -> Chart:
    """Returns a shallow copy of `chart` whose to_dict() skips schema validation."""
    copy = chart.copy(deep=False)
    # SchemaBase keeps attributes as spec properties; to_dict must go on the instance itself.
    object.__setattr__(copy, "to_dict", partial(type(copy).to_dict, copy, validate=False))
    return copy


def draw_chart(chart: Chart, **kwargs: Any) -> Any:
    """Draws an Altair chart (st.altair_chart's keyword arguments); returns what it returns."""
    return st.altair_chart(unvalidated(chart), **kwargs)
