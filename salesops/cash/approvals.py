"""Order approvals: hours from approval request to approval, per approver and per rep.

Two sources, each used where it is recorded: approval timestamps on orders (requested →
approved), and time logs of approval activities (hours per order placed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.cash.breakdown import NO_DEAL
from salesops.cash.cycle import histogram_quantile
from salesops.figures import Figure


@dataclass(frozen=True)
class Approvals:
    """How long approvals take (timestamps) and how many logged hours they cost (time logs)."""

    orders: int
    mean_hours: Figure
    median_hours: Figure
    p90_hours: Figure
    by_approver: pd.DataFrame  # approver, orders, mean_hours, median_hours, p90_hours
    by_rep: pd.DataFrame  # rep, approved_orders, mean_hours, logged_hours, logged_per_order
    logged_hours: float
    logged_per_order: Figure

    def to_json(self) -> dict[str, object]:
        """Returns the headline figures as JSON-ready values."""
        return {
            "orders": self.orders,
            "mean_hours": self.mean_hours.value,
            "median_hours": self.median_hours.value,
            "p90_hours": self.p90_hours.value,
            "reason": self.mean_hours.reason,
            "logged_hours": self.logged_hours,
            "logged_hours_per_order": self.logged_per_order.value,
            "logged_hours_per_order_reason": self.logged_per_order.reason,
        }


def _stats(minutes: pd.DataFrame) -> dict[str, float]:
    ordered = minutes.groupby("minutes")["orders"].sum().sort_index()
    days, counts = ordered.index.to_numpy(dtype=float) / 60, ordered.to_numpy(dtype=float)
    return {
        "orders": float(counts.sum()),
        "mean_hours": float((days * counts).sum() / counts.sum()),
        "median_hours": histogram_quantile(days, counts, 0.5),
        "p90_hours": histogram_quantile(days, counts, 0.9),
    }


def approvals(
    minutes: pd.DataFrame,
    by_rep: pd.DataFrame,
    logged: pd.DataFrame,
    orders_by_rep: pd.DataFrame,
    rep_names: dict[int, str],
) -> Approvals:
    """Returns the approvals of a period.

    Requires `cash_approvals(by="minutes")` (approver, minutes, orders), `cash_approvals(
    by="rep")` (rep_id, orders, hours_sum), logged approval hours (rep_id, hours; from the
    time logs) and orders placed per rep (rep_id, orders).
    """
    if minutes.empty:
        none = Figure.undefined("no order approvals recorded in the period")
        overall: dict[str, float] = {}
        table = pd.DataFrame(columns=["approver", "orders", "mean_hours", "median_hours",
                                      "p90_hours"])  # fmt: skip
    else:
        overall = _stats(minutes)
        table = pd.DataFrame.from_records(
            [{"approver": name, **_stats(group)} for name, group in minutes.groupby("approver")]
        ).sort_values("mean_hours", ascending=False, kind="stable")
        table["orders"] = table["orders"].astype("int64")
    reps = _per_rep(by_rep, logged, orders_by_rep, rep_names)
    logged_total = float(logged["hours"].sum())
    placed = float(orders_by_rep["orders"].sum())
    return Approvals(
        orders=int(overall.get("orders", 0)),
        mean_hours=Figure(overall["mean_hours"]) if overall else none,
        median_hours=Figure(overall["median_hours"]) if overall else none,
        p90_hours=Figure(overall["p90_hours"]) if overall else none,
        by_approver=table.reset_index(drop=True),
        by_rep=reps,
        logged_hours=logged_total,
        logged_per_order=Figure(logged_total / placed) if placed and logged_total
        else Figure.undefined("no approval hours logged" if placed else "no orders placed"),
    )  # fmt: skip


def _per_rep(
    by_rep: pd.DataFrame, logged: pd.DataFrame, orders: pd.DataFrame, names: dict[int, str]
) -> pd.DataFrame:
    """Returns per rep: approved orders, mean approval hours, logged hours and per order."""

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        rep = frame["rep_id"].map(lambda k: NO_DEAL if pd.isna(k) else names.get(int(k), f"#{k}"))
        return frame.assign(rep=rep)

    stamped = keyed(by_rep).groupby("rep")[["orders", "hours_sum"]].sum()
    logs = keyed(logged).groupby("rep")["hours"].sum()
    placed = keyed(orders).groupby("rep")["orders"].sum()
    table = pd.concat(
        [stamped.rename(columns={"orders": "approved_orders"}), logs.rename("logged_hours"),
         placed.rename("orders")], axis=1,
    ).rename_axis("rep")  # fmt: skip
    table[["approved_orders", "hours_sum", "logged_hours", "orders"]] = table[
        ["approved_orders", "hours_sum", "logged_hours", "orders"]
    ].fillna(0.0)
    table["mean_hours"] = table["hours_sum"] / table["approved_orders"].replace(0, np.nan)
    table["logged_per_order"] = table["logged_hours"] / table["orders"].replace(0, np.nan)
    columns = ["rep", "orders", "approved_orders", "mean_hours", "logged_hours", "logged_per_order"]
    return (
        table.reset_index()[columns]
        .sort_values("mean_hours", ascending=False, na_position="last", kind="stable")
        .reset_index(drop=True)
    )
