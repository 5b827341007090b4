"""The pipeline-weighted forecast: open deals weighted by their stage's win probability.

The probability of winning from a stage is measured from history (of the closed deals that
were ever in the stage, the share won), falling back to the stage table's probability
where too few deals passed the stage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.forecast.quarters import quarter_index, quarter_starts


def stage_win_probabilities(
    stage_outcomes: pd.DataFrame,
    stages: pd.DataFrame,
    min_observations: int = Settings.min_stage_observations,
) -> pd.DataFrame:
    """Returns the probability of winning from each open stage, measured from history.

    The historical rate is: of the closed opportunities that were ever in the stage,
    the share that was won. A stage with fewer than `min_observations` such deals
    falls back to the stage table's probability.

    Args:
        stage_outcomes: Requires columns stage, reached (closed deals that passed
            through the stage) and won (of those, won).
        stages: Requires columns name, sort_order, probability, is_closed.
        min_observations: deals needed before the measured rate is trusted.

    Returns:
        A frame with columns stage, sort_order, reached, won, historical_rate (NaN when
        no deal reached it), table_probability, probability (the one used) and source
        ("history" or "stage table"), one row per open stage in sort order.
    """
    open_stages = stages[~stages["is_closed"].astype(bool)].sort_values("sort_order")
    counts = stage_outcomes.set_index("stage")[["reached", "won"]]
    frame = pd.DataFrame(
        {
            "stage": open_stages["name"].to_numpy(),
            "sort_order": open_stages["sort_order"].to_numpy(),
            "table_probability": open_stages["probability"].to_numpy(dtype="float64"),
        }
    )
    frame["reached"] = (
        counts["reached"].reindex(frame["stage"]).fillna(0).astype("int64").to_numpy()
    )
    frame["won"] = counts["won"].reindex(frame["stage"]).fillna(0).astype("int64").to_numpy()
    reached = frame["reached"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["historical_rate"] = np.where(reached > 0, frame["won"] / reached, np.nan)
    trusted = frame["reached"] >= max(1, min_observations)
    frame["probability"] = np.where(trusted, frame["historical_rate"], frame["table_probability"])
    frame["source"] = np.where(trusted, "history", "stage table")
    return frame[
        [
            "stage",
            "sort_order",
            "reached",
            "won",
            "historical_rate",
            "table_probability",
            "probability",
            "source",
        ]
    ]


def pipeline_weighted_forecast(
    open_pipeline: pd.DataFrame,
    probabilities: pd.DataFrame,
    as_of: pd.Timestamp | str,
    won_to_date: pd.DataFrame | None = None,
    n_quarters: int = Settings.forecast_quarters,
    overdue_amount: float | None = None,
) -> pd.DataFrame:
    """Returns the pipeline-weighted forecast for the current and following quarters.

    Each open deal counts with the win probability of its stage. Deals whose expected
    close date already passed are counted in the current quarter (they are still
    open) and shown in overdue_amount. The quarter's forecast is what is already won
    in it plus the weighted open pipeline.

    Args:
        open_pipeline: Requires columns expected_close (a date in the close period),
            stage, open_amount.
        probabilities: Requires columns stage, probability (see `stage_win_probabilities`).
        as_of: today.
        won_to_date: optional, requires columns ds (close date or period) and y (won amount).
        n_quarters: quarters from the current one.
        overdue_amount: the amount of open deals **overdue** at as_of (`salesops.definitions`,
            counted in SQL to the day), shown in the current quarter's overdue_amount;
            without it, the open amount expected to close in an earlier quarter.

    Returns:
        A frame with columns period (quarter start), open_amount, weighted_amount,
        overdue_amount, won_to_date, forecast; one row per quarter.
    """
    periods = quarter_index(as_of, n_quarters)
    current = periods[0]
    pipeline = open_pipeline.copy()
    probability = probabilities.set_index("stage")["probability"]
    pipeline["probability"] = pipeline["stage"].map(probability).fillna(0.0).astype("float64")
    if len(pipeline):
        quarter = quarter_starts(pipeline["expected_close"])
        overdue = quarter < current
        pipeline["period"] = quarter.where(~overdue, current)
        pipeline["overdue"] = np.where(overdue, pipeline["open_amount"], 0.0)
    else:
        pipeline["period"] = pd.Series([], dtype="datetime64[ns]")
        pipeline["overdue"] = pd.Series([], dtype="float64")
    pipeline["weighted"] = pipeline["open_amount"].astype("float64") * pipeline["probability"]
    grouped = pipeline.groupby("period")[["open_amount", "weighted", "overdue"]].sum()
    grouped = grouped.reindex(periods, fill_value=0.0)
    won = pd.Series(0.0, index=periods)
    if won_to_date is not None and len(won_to_date):
        won_quarters = quarter_starts(won_to_date["ds"])
        won = won_to_date["y"].astype("float64").groupby(won_quarters.to_numpy()).sum()
        won = won.reindex(periods, fill_value=0.0)
    frame = pd.DataFrame(
        {
            "period": periods,
            "open_amount": grouped["open_amount"].to_numpy(dtype="float64"),
            "weighted_amount": grouped["weighted"].to_numpy(dtype="float64"),
            "overdue_amount": grouped["overdue"].to_numpy(dtype="float64"),
            "won_to_date": won.to_numpy(dtype="float64"),
        }
    )
    if overdue_amount is not None:
        frame["overdue_amount"] = np.where(frame["period"] == current, overdue_amount, 0.0)
    frame["forecast"] = frame["won_to_date"] + frame["weighted_amount"]
    return frame
