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

from salesops.export import safe_frame, to_safe_csv
from salesops.formatting import format_value
from salesops.review_report import LIST_TITLES, ReviewReport

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
MAX_ROWS_PER_LIST = 200


def waterfall_svg(report: ReviewReport) -> str:
    """Returns the waterfall chart as an SVG document (rendered offline by vl-convert)."""
    import vl_convert

    from salesops.charts.pipeline_review import waterfall

    chart = waterfall(report.review.waterfall.to_frame()).properties(width=720)
    return vl_convert.vegalite_to_svg(chart.to_json())


def _money(value: float, currency: str) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,.2f} {currency}"


def _table(frame: pd.DataFrame, limit: int | None = None) -> str:
    if frame.empty:
        return '<p class="note">None this week.</p>'
    shown = safe_frame(frame.head(limit) if limit else frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("<td></td>")
            elif isinstance(value, pd.Timestamp):
                cells.append(f"<td>{value.date().isoformat()}</td>")
            elif isinstance(value, float):
                cells.append(f'<td class="num">{value:,.2f}</td>')
            elif isinstance(value, int | bool):
                cells.append(f'<td class="num">{value}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if limit and len(frame) > limit:
        more = f'<p class="note">First {limit} of {len(frame)} rows; all rows are in the CSV.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def meeting_pack_html(report: ReviewReport, currency: str = "USD") -> str:
    """Returns the meeting pack as one self-contained, printable HTML document."""
    w = report.review.waterfall
    week, quarter = report.week, report.review.quarter
    esc = html.escape
    totals = "".join(
        f'<tr><td>{esc(row.label)}</td><td class="num">{esc(_money(row.amount, currency))}</td>'
        f'<td class="num">{row.deals}</td></tr>'
        for row in w.to_frame().itertuples(index=False)
    )
    cov = report.total_coverage
    coverage_text = (
        f"{cov.value:.2f}× (pipeline {_money(cov.pipeline, currency)} / remaining quota "
        f"{_money(cov.remaining_quota, currency)})"
        if cov.value is not None
        else f"— ({esc(cov.reason or '')})"
    )
    sections = []
    for name, frame in report.review.lists.items():
        title = LIST_TITLES.get(name, name)
        sections.append(
            f"<h3>{esc(title)} ({len(frame)})</h3>"
            + _table(frame.drop(columns=["opportunity_id"], errors="ignore"), MAX_ROWS_PER_LIST)
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
<div class="chart">{waterfall_svg(report)}</div>
<table class="totals"><thead><tr><th>Step</th><th>Amount</th><th>Deals</th></tr></thead>
<tbody>{totals}</tbody></table>
<p class="note">Opening + new + increased + decreased + slipped + pulled in + won + lost =
closing, to the cent. Net change {esc(_money(float(w.net_change), currency))}.</p>
<h2>Coverage and forecast categories ({esc(quarter.label)})</h2>
<p>Coverage: {coverage_text}</p>
{_table(report.coverage)}
{_table(report.review.forecast)}
<h2>Deals to walk through</h2>
{"".join(sections)}
</body></html>
"""


def write_meeting_pack(report: ReviewReport, path: str | Path, currency: str = "USD") -> Path:
    """Writes the HTML meeting pack to `path` (written whole, or not at all); returns the path."""
    target = Path(path)
    document = meeting_pack_html(report, currency)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(document, encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def meeting_pack_zip(report: ReviewReport, currency: str = "USD") -> bytes:
    """Returns a ZIP holding the HTML pack and one formula-safe CSV per table."""
    buffer = io.BytesIO()
    stem = f"pipeline_review_{report.week.label}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.html", meeting_pack_html(report, currency))
        for name, frame in report.tables().items():
            archive.writestr(f"{stem}_{name}.csv", to_safe_csv(frame))
    return buffer.getvalue()
