"""The closing pipeline rolled up by rep: by forecast category, and as one amount per rep."""

from __future__ import annotations

import pandas as pd

from salesops.pipeline_review.attributes import looked_up, with_int_ids

FORECAST_CATEGORIES = ("commit", "best_case", "pipeline")


def _by_rep_keys(deals: pd.DataFrame) -> pd.DataFrame:
    """Returns opportunity_id, rep_id, rep per deal, "(no rep)" where the rep is missing."""
    keys = with_int_ids(deals[["opportunity_id", "rep_id", "rep"]].copy())
    keys["rep"] = keys["rep"].astype(object).where(keys["rep"].notna(), "(no rep)")
    return keys


def forecast_rollup(closing_pipeline: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns the pipeline by rep split by forecast category, with a final "Total" row.

    Requires pipeline rows with columns opportunity_id, forecast_category, cents (as from
    pipeline_at or review_week) and deal attributes with opportunity_id, rep_id, rep.
    Returns a frame with columns rep_id (Int64, <NA> on the total row), rep, commit,
    best_case, pipeline, other (any other or missing category), total, deals (int).
    """
    frame = closing_pipeline[["opportunity_id", "forecast_category", "cents"]].merge(
        _by_rep_keys(deals), on="opportunity_id", how="left"
    )
    frame["rep"] = frame["rep"].astype(object).where(frame["rep"].notna(), "(no rep)")
    frame["category"] = looked_up(frame["forecast_category"], _category_names(frame), "other")
    cols = [*FORECAST_CATEGORIES, "other"]
    table = _cents_by_rep_and_category(frame, cols)
    total = {c: table[c].sum() for c in [*cols, "deals"]}
    table = pd.concat(
        [table, pd.DataFrame([{"rep_id": pd.NA, "rep": "Total", **total}])], ignore_index=True
    )
    for c in cols:
        table[c] = table[c].astype("int64") / 100.0
    table["total"] = table[cols].sum(axis=1)
    table["rep_id"] = table["rep_id"].astype("Int64")
    table["deals"] = table["deals"].astype("int64")
    return table[["rep_id", "rep", *cols, "total", "deals"]]


def _category_names(frame: pd.DataFrame) -> dict[str, str]:
    """Returns each forecast_category text found mapped to its category, or "other"."""
    named = {c: c for c in frame["forecast_category"].dropna().unique() if isinstance(c, str)}
    named = {c: c.strip().lower() for c in named}
    return {c: n if n in FORECAST_CATEGORIES else "other" for c, n in named.items()}


def _cents_by_rep_and_category(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Returns cents per rep (rows, sorted by name) and category (columns), plus deals."""
    if frame.empty:
        table = pd.DataFrame(columns=["rep_id", "rep", *cols, "total", "deals"])
    else:
        table = (
            frame.groupby(["rep_id", "rep", "category"], dropna=False)["cents"]
            .sum()
            .unstack("category", fill_value=0)
            .reindex(columns=cols, fill_value=0)
            .reset_index()
        )
        counts = frame.groupby(["rep_id", "rep"], dropna=False).size().rename("deals")
        table = table.merge(counts.reset_index(), on=["rep_id", "rep"], how="left")
        table = table.sort_values("rep", kind="stable").reset_index(drop=True)
    table.columns.name = None
    return table


def pipeline_by_rep(closing_pipeline: pd.DataFrame) -> pd.DataFrame:
    """Returns the pipeline amount per rep.

    Requires columns rep_id, rep, amount (as PipelineReview.closing_pipeline).
    Returns a frame with columns rep_id, rep, pipeline.
    """
    if closing_pipeline.empty:
        return pd.DataFrame({"rep_id": pd.Series(dtype="Int64"), "rep": [], "pipeline": []})
    return (
        closing_pipeline.groupby(["rep_id", "rep"], dropna=False)["amount"]
        .sum()
        .rename("pipeline")
        .reset_index()
    )
