"""Altair chart builders over aggregated frames, one module per feature (no Streamlit).

Pages draw them with salesops.ui.charts.draw_chart; the meeting pack renders them to static
images.

Altair's debug mode validates every schema object against the Vega-Lite JSON schema as it
is built, then the whole spec again when it is drawn: a third of a page's server time for
charts of a few dozen rows (issue 21). Builders here are fixed code, so it is switched off;
the meeting pack still validates each spec once, whole, when it converts it; pages draw them
unvalidated (salesops.ui.charts), and a test validates every chart each page draws.
"""

from __future__ import annotations

from altair.utils.schemapi import disable_debug_mode

disable_debug_mode()
