"""Pipeline coverage for the review quarter, per rep and in total.

**Coverage** for the quarter is pipeline coverage as `salesops.definitions` defines it for
every page: closing pipeline / (quarter quota - won to date), undefined (None plus a reason)
when there is no quota or the quota is already met. It is a Figure whose inputs hold
pipeline, quota, won_to_date and remaining_quota.
"""

from __future__ import annotations

import pandas as pd

from salesops.definitions import pipeline_coverage
from salesops.figures import Figure

COVERAGE_FIELDS = ("pipeline", "quota", "won_to_date", "remaining_quota", "value", "reason")


def coverage_ratio(pipeline: float, quota: float | None, won_to_date: float) -> Figure:
    """Returns the quarter's coverage Figure: `salesops.definitions.pipeline_coverage`."""
    return pipeline_coverage(pipeline, quota, won_to_date, period="quarter")


def coverage_fields(coverage: Figure) -> dict[str, object]:
    """Returns a coverage Figure as the review's JSON fields: its inputs, value and reason."""
    return {
        "pipeline": coverage.inputs.get("pipeline"),
        "quota": coverage.inputs.get("quota"),
        "won_to_date": coverage.inputs.get("won_to_date"),
        "remaining_quota": coverage.inputs.get("remaining_quota"),
        "value": coverage.value,
        "reason": coverage.reason,
    }


def coverage_by_rep(
    pipeline_by_rep: pd.DataFrame, quota_by_rep: pd.DataFrame, won_by_rep: pd.DataFrame
) -> pd.DataFrame:
    """Returns pipeline coverage per rep for the quarter plus a final "Total" row.

    Requires pipeline_by_rep with columns rep_id, rep, pipeline; quota_by_rep with rep_id,
    quota; won_by_rep with rep_id, won (the quarter's won amount to date). Reps in any of
    the three frames appear. Returns a frame with columns rep_id (Int64), rep, pipeline,
    quota (Float64, <NA> when none), won_to_date, remaining_quota (Float64), coverage
    (Float64, <NA> when undefined), reason (None when defined).
    """
    ids = pd.Index(
        pd.concat([pipeline_by_rep["rep_id"], quota_by_rep["rep_id"], won_by_rep["rep_id"]])
        .dropna()
        .unique()
    )
    pipe = pipeline_by_rep.groupby("rep_id")["pipeline"].sum().reindex(ids, fill_value=0.0)
    quota = quota_by_rep.groupby("rep_id")["quota"].sum().reindex(ids)
    won = won_by_rep.groupby("rep_id")["won"].sum().reindex(ids, fill_value=0.0)
    rows = []
    for rep_id in ids:
        q = quota.get(rep_id)
        cov = coverage_ratio(
            float(pipe[rep_id]), None if pd.isna(q) else float(q), float(won[rep_id])
        )
        rows.append({"rep_id": rep_id, **coverage_fields(cov)})
    has_quota = quota.notna().any()
    total = coverage_ratio(
        float(pipe.sum()), float(quota.sum()) if has_quota else None, float(won.sum())
    )
    out = pd.DataFrame(rows, columns=["rep_id", *COVERAGE_FIELDS])
    out = out.merge(_rep_names(pipeline_by_rep, quota_by_rep, won_by_rep), on="rep_id", how="left")
    out = out.sort_values("rep", kind="stable")
    out = pd.concat(
        [out, pd.DataFrame([{"rep_id": pd.NA, "rep": "Total", **coverage_fields(total)}])],
        ignore_index=True,
    )
    return _typed_coverage(out.rename(columns={"value": "coverage"}))


def _rep_names(*frames: pd.DataFrame) -> pd.DataFrame:
    """Returns rep_id, rep from the first frame and any other that names reps, one per rep."""
    names = [frames[0][["rep_id", "rep"]]]
    names += [f[["rep_id", "rep"]] for f in frames[1:] if "rep" in f.columns]
    return pd.concat(names).drop_duplicates("rep_id")


def _typed_coverage(out: pd.DataFrame) -> pd.DataFrame:
    """Returns the coverage table with its nullable dtypes and columns in order."""
    for col in ("quota", "remaining_quota", "coverage"):
        out[col] = pd.array(out[col].tolist(), dtype="Float64")
    out["rep_id"] = out["rep_id"].astype("Int64")
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    cols = ["rep_id", "rep", "pipeline", "quota", "won_to_date", "remaining_quota"]
    return out[[*cols, "coverage", "reason"]].reset_index(drop=True)
