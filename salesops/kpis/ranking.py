"""Breakdown rankings with their sample sizes: a rate on a handful of deals is not ranked.

Each rate's sample is what its denominator counts: closed deals (won + lost) for the win
rate, won deals for the sales cycle, leads for lead-to-opportunity, new customers for CAC.
A row whose sample is below `min_sample` (Settings.min_sample_to_rank) keeps its value
but is not ranked: it sorts after every ranked row and its label says so.
"""

from __future__ import annotations

import pandas as pd

# KPI name -> the breakdown columns whose sum is its sample size.
SAMPLES: dict[str, tuple[str, ...]] = {
    "win_rate": ("won", "lost"),
    "avg_sales_cycle_days": ("won",),
    "lead_to_opportunity_ratio": ("leads",),
    "cac": ("new_customers",),
    "cac_payback_months": ("new_customers",),
}
SAMPLE_WORDS = {
    "win_rate": "closed deals",
    "avg_sales_cycle_days": "won deals",
    "lead_to_opportunity_ratio": "leads",
    "cac": "new customers",
    "cac_payback_months": "new customers",
}


def ranking(
    table: pd.DataFrame, metric: str, min_sample: int, higher_is_better: bool = True
) -> pd.DataFrame:
    """Returns the breakdown rows ranked by `metric`, best first, with sample sizes.

    Requires a breakdown table with columns name, `metric` and the sample columns in
    SAMPLES (a metric without a sample is ranked on its value alone). Rows with no value
    are left out. Returns a frame with columns name, value, sample (Int64, <NA> without
    one), ranked (bool), rank (Int64, 1 = best; <NA> when not ranked), label ("Ann Lee
    (n = 34)", "… too few to rank").
    """
    shown = table.dropna(subset=[metric])
    columns = [c for c in SAMPLES.get(metric, ()) if c in shown.columns]
    sample = (
        shown[columns].sum(axis=1).astype("Int64")
        if columns
        else pd.Series(pd.NA, index=shown.index, dtype="Int64")
    )
    ranked = sample.isna() | (sample >= min_sample)
    out = pd.DataFrame(
        {
            "name": shown["name"].astype(str),
            "value": shown[metric].astype(float),
            "sample": sample,
            "ranked": ranked.astype(bool),
        }
    )
    out = out.sort_values(
        ["ranked", "value"], ascending=[False, not higher_is_better], kind="stable"
    ).reset_index(drop=True)
    ranks = out["ranked"].cumsum().where(out["ranked"])
    out["rank"] = pd.array(ranks, dtype="Int64")
    out["label"] = [
        _label(name, n, ok)
        for name, n, ok in zip(out["name"], out["sample"], out["ranked"], strict=True)
    ]
    return out


def _label(name: str, sample: object, ranked: bool) -> str:
    """Returns a bar's label: the name with its sample, marked when too few to rank."""
    if pd.isna(sample):
        return name
    text = f"{name} (n = {int(sample):,})"  # type: ignore[call-overload]
    return text if ranked else f"{text}, too few to rank"
