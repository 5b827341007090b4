"""The weekly meeting pack: one printable, self-contained HTML file and a ZIP of CSVs.

The HTML needs no network: styles are inline, the waterfall is an inline SVG rendered by
vl-convert (vega bundled, no browser), and every table cell is HTML-escaped, so a deal
named `=HYPERLINK(...)` or `<script>` is shown as text. CSVs go through to_safe_csv.
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pandas as pd

from salesops.calendar import quarter_words
from salesops.call.reconcile import Panel, panel_html
from salesops.cash.pack import cash_pack_html
from salesops.cash.report import CashReport
from salesops.config import Settings
from salesops.export import safe_frame, to_safe_csv
from salesops.figures import Figure, Input
from salesops.formatting import EM_DASH, format_money, format_value
from salesops.pipeline_review.deal_lists import LIST_TITLES
from salesops.pipeline_review.report import ReviewReport
from salesops.pipeline_review.waterfall import week_words
from salesops.print_pdf import html_to_pdf
from salesops.tables import Col, column_specs, text_table

NUMERIC_KINDS = {"money", "money_change", "ratio", "pp", "days", "hours", "months", "count", "x"}
# In the slipped list, `slipped` is the amount that left the quarter (the registry's
# `slipped` is a yes/no flag of other tables).
LIST_OVERRIDES: dict[str, Col | str] = {"slipped": Col("Slipped", "money_change")}
SUMMARY_ROWS = 10
SUMMARY_CHART_WIDTH = 640
# (title, list, sort by, columns) of the summary's short tables.
SUMMARY_LISTS = [
    ("Largest slips out of the quarter", "slipped", "slipped",
     ["name", "rep", "slipped", "expected_close_date", "stage"]),
    ("Largest pushed close dates", "pushed", "amount",
     ["name", "rep", "amount", "previous_close", "expected_close_date", "pushes_total"]),
    ("Largest new deals", "new", "amount",
     ["name", "rep", "amount", "stage", "expected_close_date"]),
]  # fmt: skip

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 24px;
       color: #222; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; margin-top: 28px;
     border-bottom: 1px solid #ccc; padding-bottom: 3px; } h3 { font-size: 14px; }
.meta { color: #666; font-size: 13px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 14px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.totals td:first-child { font-weight: 600; }
.chart svg { max-width: 100%; height: auto; }
.note { color: #666; font-size: 12px; }
.lead { font-size: 15px; margin: 10px 0; }
.tiles { display: flex; gap: 10px; margin: 12px 0; }
.tile { border: 1px solid #ddd; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.tl { color: #666; font-size: 12px; } .tv { font-size: 20px; font-weight: 600; }
.summary h3 { margin: 10px 0 2px; }
.summary { break-after: page; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 10mm; } h2 { break-after: avoid; } table { break-inside: auto; }
               tr { break-inside: avoid; } }
"""


def waterfall_svg(report: ReviewReport, currency: str, width: int = 720) -> str:
    """Returns the waterfall chart as an SVG document (rendered offline by vl-convert)."""
    import vl_convert

    from salesops.charts.pipeline_review import waterfall

    chart = waterfall(report.review.waterfall.to_frame(), currency).properties(width=width)
    return vl_convert.vegalite_to_svg(chart.to_json())


def start_chart_renderer() -> None:
    """Starts vl-convert's JavaScript engine by rendering a one-point chart (result unused).

    Its first render in a process starts the engine (~0.5 s CPU, seconds of wall on a busy
    machine); a page calls this in the background so a pack's first download does not.
    """
    import vl_convert

    vl_convert.vegalite_to_svg({"data": {"values": [{"x": 0}]}, "mark": "point"})


def _money(value: Input, currency: str) -> str:
    """Returns an amount rounded to whole units, e.g. "-$1,235" (empty when there is none)."""
    if value is None:
        return ""
    return format_money(float(value), currency, full=True)


def _table(
    frame: pd.DataFrame,
    currency: str,
    limit: int | None = None,
    order: list[str] | None = None,
    overrides: dict[str, Col | str] | None = None,
) -> str:
    """Returns a frame as an HTML table under human headers, formula-safe and escaped.

    Columns are labelled and formatted through salesops.tables (no ids, amounts in whole
    currency units, dates without time, Yes/No); only the first `limit` rows are shown.
    """
    if frame.empty:
        return '<p class="note">None this week.</p>'
    shown = text_table(
        safe_frame(frame.head(limit) if limit else frame), currency, overrides, order
    )
    numeric = {
        spec.label
        for name, spec in column_specs(frame, overrides).items()
        if spec.kind in NUMERIC_KINDS
    }
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = [
        "<tr>"
        + "".join(
            f"<td{' class=num' if col in numeric else ''}>{html.escape(str(v))}</td>"
            for col, v in zip(shown.columns, record, strict=True)
        )
        + "</tr>"
        for record in shown.itertuples(index=False)
    ]
    more = ""
    if limit and len(frame) > limit:
        more = f'<p class="note">First {limit} of {len(frame)} rows; all rows are in the CSV.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _coverage_text(coverage: Figure, currency: str) -> str:
    """Returns the coverage line: "2.11× (pipeline … / remaining quota …)" or "— (reason)"."""
    if coverage.value is None:
        return f"— ({html.escape(coverage.reason or '')})"
    pipeline = _money(coverage.inputs.get("pipeline"), currency)
    remaining = _money(coverage.inputs.get("remaining_quota"), currency)
    return f"{coverage.value:.2f}× (pipeline {pipeline} / remaining quota {remaining})"


def _list_sections(report: ReviewReport, currency: str, max_rows: int) -> str:
    """Returns one titled table per deal list, each cut to `max_rows` rows."""
    sections = []
    for name, frame in report.review.lists.items():
        title = LIST_TITLES.get(name, name)
        sections.append(
            f"<h3>{html.escape(title)} ({len(frame)})</h3>"
            + _table(frame, currency, max_rows, overrides=LIST_OVERRIDES)
        )
    return "".join(sections)


def _tiles(report: ReviewReport, currency: str) -> str:
    """Returns the summary's figures: quota, won to date, pipeline, coverage (compact money)."""
    cover = report.total_coverage

    def money(name: str) -> str:
        value = cover.inputs.get(name)
        return format_money(None if value is None else float(value), currency)

    figures = [
        (f"{quarter_words(report.review.quarter)} quota", money("quota")),
        ("Won to date", money("won_to_date")),
        ("Still to win", money("remaining_quota")),
        ("Pipeline", format_money(float(report.review.waterfall.closing), currency)),
        ("Coverage", EM_DASH if cover.value is None else f"{cover.value:.1f}×"),
    ]
    cells = "".join(
        f'<div class="tile"><div class="tl">{html.escape(label)}</div>'
        f'<div class="tv">{html.escape(value)}</div></div>'
        for label, value in figures
    )
    return f'<div class="tiles">{cells}</div>'


def _top(frame: pd.DataFrame, by: str, rows: int) -> pd.DataFrame:
    """Returns the `rows` largest rows of `frame` by |`by`|."""
    if frame.empty:
        return frame
    return frame.loc[frame[by].abs().sort_values(ascending=False).index[:rows]]


def _summary(report: ReviewReport, currency: str, noise_share: float) -> str:
    """Returns page one: quarter figures, the waterfall, the largest slips, pushes, new deals."""
    lists, w = report.review.lists, report.review.waterfall
    sentence, _ = week_words(w, report.week.last_day, currency, noise_share)
    sections = [
        _tiles(report, currency),
        f'<p class="lead">{html.escape(sentence)}</p>',
        f'<div class="chart">{waterfall_svg(report, currency, SUMMARY_CHART_WIDTH)}</div>',
    ]
    for title, name, by, order in SUMMARY_LISTS:
        frame = _top(lists.get(name, pd.DataFrame()), by, SUMMARY_ROWS)
        sections.append(
            f"<h3>{title} ({len(lists.get(name, []))} in all)</h3>"
            + _table(frame, currency, order=order, overrides=LIST_OVERRIDES)
        )
    return "".join(sections)


def meeting_pack_html(
    report: ReviewReport,
    settings: Settings,
    panel: Panel | None = None,
    cash: CashReport | None = None,
) -> str:
    """Returns the meeting pack as one self-contained, printable HTML document.

    Page one is the summary (the quarter's figures, the waterfall, the 10 largest slips,
    pushes and new deals); the appendices hold the waterfall table, coverage, forecast
    categories and every deal list (settings.meeting_pack_rows_per_list rows each), then
    order to cash when `cash` is given (salesops.cash.pack.pack_cash_report).
    Amounts are in settings.currency, rounded to whole units.
    """
    currency = settings.currency
    w = report.review.waterfall
    week, quarter = report.week, report.review.quarter
    esc = html.escape
    period = f"{week.start:%a %d %b} – {week.last_day:%a %d %b %Y}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Pipeline review, week of {week.start.day} {week.start:%b %Y}</title>
<style>{STYLE}</style></head>
<body>
<section class="summary">
<h1>Pipeline review — week of {week.start.day} {week.start:%b %Y}</h1>
<p class="meta">{period} ({esc(week.label)}) · {esc(report.scope.label)} · pipeline = open
deals expected to close in {esc(quarter_words(quarter))}</p>
{_summary(report, currency, settings.change_noise_share)}
{panel_html(panel, currency) if panel is not None else ""}
</section>
<h2>Appendix A — Waterfall</h2>
{_table(w.to_frame()[["label", "amount", "deals"]], currency, overrides={"amount": "Amount"})}
<p class="note">Opening + new + increased + decreased + slipped + pulled in + won + lost =
closing. Net change {esc(_money(float(w.net_change), currency))}.</p>
<h2>Appendix B — Coverage and forecast categories ({esc(quarter_words(quarter))})</h2>
<p>Coverage: {_coverage_text(report.total_coverage, currency)}</p>
{_table(report.coverage, currency)}
{_table(report.review.forecast, currency)}
<h2>Appendix C — Deals to walk through</h2>
<p class="note">Stale after {report.stale_days} days without a change · big change ≥
{esc(format_value(report.big_change, "money", currency))}.</p>
{_list_sections(report, currency, settings.meeting_pack_rows_per_list)}
{cash_pack_html(cash, settings, SUMMARY_ROWS) if cash is not None else ""}
</body></html>
"""


def write_meeting_pack(
    report: ReviewReport, path: str | Path, settings: Settings, cash: CashReport | None = None
) -> Path:
    """Writes the HTML meeting pack to `path` (written whole, or not at all); returns the path."""
    target = Path(path)
    document = meeting_pack_html(report, settings, cash=cash)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(document, encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def meeting_pack_zip(
    report: ReviewReport,
    settings: Settings,
    panel: Panel | None = None,
    cash: CashReport | None = None,
) -> bytes:
    """Returns a ZIP holding the HTML pack and one formula-safe CSV per table."""
    buffer = io.BytesIO()
    stem = f"pipeline_review_{report.week.label}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.html", meeting_pack_html(report, settings, panel, cash))
        for name, frame in report.tables().items():
            archive.writestr(f"{stem}_{name}.csv", to_safe_csv(frame))
        if cash is not None and cash.has_orders:
            for name, frame in _cash_tables(cash).items():
                archive.writestr(f"{stem}_cash_{name}.csv", to_safe_csv(frame))
    return buffer.getvalue()


def meeting_pack_pdf(
    report: ReviewReport,
    settings: Settings,
    panel: Panel | None = None,
    cash: CashReport | None = None,
) -> bytes:
    """Returns the meeting pack printed to PDF (A4) by Settings.pdf_browser.

    Raises salesops.print_pdf.PdfUnavailable when no browser can print it.
    """
    return html_to_pdf(meeting_pack_html(report, settings, panel, cash), settings.pdf_browser)


def _cash_tables(cash: CashReport) -> dict[str, pd.DataFrame]:
    """Returns the order-to-cash tables the pack's ZIP holds as CSVs, by file stem."""
    return {
        "aging": cash.aging,
        "slow_accounts": cash.slow_accounts,
        "slow_orders": cash.slow_orders,
    }
