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

from salesops.config import Settings
from salesops.export import safe_frame, to_safe_csv
from salesops.figures import Figure, Input
from salesops.formatting import format_value
from salesops.pipeline_review.deal_lists import LIST_TITLES
from salesops.pipeline_review.report import ReviewReport

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
@media print { body { margin: 10mm; } h2 { break-after: avoid; } table { break-inside: auto; }
               tr { break-inside: avoid; } }
"""


def waterfall_svg(report: ReviewReport, currency: str) -> str:
    """Returns the waterfall chart as an SVG document (rendered offline by vl-convert)."""
    import vl_convert

    from salesops.charts.pipeline_review import waterfall

    chart = waterfall(report.review.waterfall.to_frame(), currency).properties(width=720)
    return vl_convert.vegalite_to_svg(chart.to_json())


def _money(value: Input, currency: str) -> str:
    """Returns an amount as text, e.g. "-1,234.50 USD" (empty when there is none)."""
    if value is None:
        return ""
    number = float(value)
    sign = "-" if number < 0 else ""
    return f"{sign}{abs(number):,.2f} {currency}"


def _cell(value: object) -> str:
    """Returns one HTML table cell: dates as ISO, numbers right-aligned, text escaped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, pd.Timestamp):
        return f"<td>{value.date().isoformat()}</td>"
    if isinstance(value, float):
        return f'<td class="num">{value:,.2f}</td>'
    if isinstance(value, int | bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """Returns a frame as an HTML table (formula-safe, escaped), its first `limit` rows."""
    if frame.empty:
        return '<p class="note">None this week.</p>'
    shown = safe_frame(frame.head(limit) if limit else frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = [
        "<tr>" + "".join(_cell(value) for value in record) + "</tr>"
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


def _list_sections(report: ReviewReport, max_rows: int) -> str:
    """Returns one titled table per deal list, each cut to `max_rows` rows."""
    sections = []
    for name, frame in report.review.lists.items():
        title = LIST_TITLES.get(name, name)
        sections.append(
            f"<h3>{html.escape(title)} ({len(frame)})</h3>"
            + _table(frame.drop(columns=["opportunity_id"], errors="ignore"), max_rows)
        )
    return "".join(sections)


def meeting_pack_html(report: ReviewReport, settings: Settings) -> str:
    """Returns the meeting pack as one self-contained, printable HTML document.

    Amounts are in settings.currency; each deal list shows settings.meeting_pack_rows_per_list.
    """
    currency = settings.currency
    w = report.review.waterfall
    week, quarter = report.week, report.review.quarter
    esc = html.escape
    totals = "".join(
        f'<tr><td>{esc(row.label)}</td><td class="num">{esc(_money(row.amount, currency))}</td>'
        f'<td class="num">{row.deals}</td></tr>'
        for row in w.to_frame().itertuples(index=False)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Pipeline review {esc(week.label)}</title>
<style>{STYLE}</style></head>
<body>
<h1>Pipeline review — week {esc(week.label)}</h1>
<p class="meta">{week.start:%a %d %b %Y} – {week.last_day:%a %d %b %Y} ·
scope: {esc(report.scope.label)} · pipeline = open deals expected to close in {esc(quarter.label)}
({quarter.start:%d %b} – {quarter.last_day:%d %b %Y}) · stale after {report.stale_days} days ·
big change ≥ {esc(format_value(report.big_change, "money", currency))}</p>
<h2>Waterfall</h2>
<div class="chart">{waterfall_svg(report, currency)}</div>
<table class="totals"><thead><tr><th>Step</th><th>Amount</th><th>Deals</th></tr></thead>
<tbody>{totals}</tbody></table>
<p class="note">Opening + new + increased + decreased + slipped + pulled in + won + lost =
closing, to the cent. Net change {esc(_money(float(w.net_change), currency))}.</p>
<h2>Coverage and forecast categories ({esc(quarter.label)})</h2>
<p>Coverage: {_coverage_text(report.total_coverage, currency)}</p>
{_table(report.coverage)}
{_table(report.review.forecast)}
<h2>Deals to walk through</h2>
{_list_sections(report, settings.meeting_pack_rows_per_list)}
</body></html>
"""


def write_meeting_pack(report: ReviewReport, path: str | Path, settings: Settings) -> Path:
    """Writes the HTML meeting pack to `path` (written whole, or not at all); returns the path."""
    target = Path(path)
    document = meeting_pack_html(report, settings)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(document, encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def meeting_pack_zip(report: ReviewReport, settings: Settings) -> bytes:
    """Returns a ZIP holding the HTML pack and one formula-safe CSV per table."""
    buffer = io.BytesIO()
    stem = f"pipeline_review_{report.week.label}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.html", meeting_pack_html(report, settings))
        for name, frame in report.tables().items():
            archive.writestr(f"{stem}_{name}.csv", to_safe_csv(frame))
    return buffer.getvalue()
