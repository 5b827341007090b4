"""Orders: a first order books each won deal, repeat orders follow until the customer churns.

Every eleventh account pays late and a few pay very late (chronic late payers); some reps
often leave the PO number or an address out, and those orders wait longer for their invoice
and payment; larger orders need an approval, and one approver is slow. So order to cash has
a story too. The capture and approval details draw from their own stream (`cash_rng`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.catalog import SEGMENTS, SOURCE
from salesops.demo.state import DemoState, positions_in_groups
from salesops.demo.text import labels, numbered


def _order_lines(
    state: DemoState, opportunities: pd.DataFrame, accounts: pd.DataFrame
) -> pd.DataFrame:
    """Returns the orders up to the demo's end, sorted by date.

    First orders book the won deals; repeat orders follow at the segment's interval until
    the customer churns; every order counts for the rep of the deal behind it. Columns:
    account_id, opportunity_id, rep_id, ordered_at, amount, margin (the segment's rate).
    """
    rng = state.rng
    won = opportunities[opportunities["outcome"] == "won"]
    seg = accounts.set_index("id").loc[won["account_id"], "segment"].to_numpy()
    interval = np.array([SEGMENTS[s][4] for s in seg])
    churn = np.array([SEGMENTS[s][5] for s in seg])
    margin = np.array([SEGMENTS[s][6] for s in seg])
    closed = won["closed_at"].to_numpy().astype("datetime64[D]")
    lifetime = rng.geometric(np.clip(churn * interval, 0.005, 0.9)).astype(int)
    repeats = np.minimum(lifetime, 60 // interval)
    first = pd.DataFrame(
        {
            "account_id": won["account_id"].to_numpy(),
            "opportunity_id": won["id"].to_numpy(),
            "rep_id": won["rep_id"].to_numpy(),
            "ordered_at": closed + rng.integers(0, 6, len(won)).astype("timedelta64[D]"),
            "amount": won["amount"].to_numpy(),
            "margin": margin,
        }
    )
    rep_idx = np.repeat(np.arange(len(won)), repeats)
    seq = positions_in_groups(repeats) if repeats.sum() else np.zeros(0, int)
    months = seq * interval[rep_idx]
    repeat_dates = (
        closed[rep_idx].astype("datetime64[M]") + months.astype("timedelta64[M]")
    ).astype("datetime64[D]") + rng.integers(0, 28, len(rep_idx)).astype("timedelta64[D]")
    repeat = pd.DataFrame(
        {
            "account_id": won["account_id"].to_numpy()[rep_idx],
            "opportunity_id": np.nan,
            "rep_id": won["rep_id"].to_numpy()[rep_idx],
            "ordered_at": repeat_dates,
            "amount": np.round(
                won["amount"].to_numpy()[rep_idx]
                * 0.03
                * interval[rep_idx]
                * rng.lognormal(0, 0.25, len(rep_idx)),
                -1,
            ),
            "margin": margin[rep_idx],
        }
    )
    lines = pd.concat([first, repeat], ignore_index=True)
    return lines[lines["ordered_at"] <= state.end].sort_values("ordered_at", kind="stable")


def orders(state: DemoState, opportunities: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Returns the orders table, invoiced within days and paid about 30 days later."""
    rng = state.rng
    lines = _order_lines(state, opportunities, accounts)
    n = len(lines)
    late_payer = (lines["account_id"].to_numpy() % 11) == 0
    invoiced = lines["ordered_at"].to_numpy() + rng.integers(0, 4, n).astype("timedelta64[D]")
    delay = np.where(late_payer, rng.integers(25, 95, n), rng.integers(-5, 8, n))
    capture, slip, chronic = _capture(state, lines, opportunities)
    approval = _approvals(state, lines)
    # Invoicing waits for the approval, and an incomplete order waits longer still.
    invoiced = np.maximum(invoiced, approval["approved_day"].to_numpy())
    invoiced = invoiced + slip[:, 0].astype("timedelta64[D]")
    paid = invoiced + (30 + delay + slip[:, 1] + chronic).astype("timedelta64[D]")
    paid = np.where(paid <= state.end, paid, np.datetime64("NaT"))
    invoiced = np.where(invoiced <= state.end, invoiced, np.datetime64("NaT"))
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "source": SOURCE,
            "external_id": numbered("S", np.arange(1, n + 1)),
            "account_id": lines["account_id"].to_numpy(),
            "opportunity_id": lines["opportunity_id"].to_numpy(),
            "rep_id": lines["rep_id"].to_numpy(),
            "ordered_at": lines["ordered_at"].to_numpy(),
            "amount": lines["amount"].to_numpy(),
            "gross_margin": np.round(lines["amount"].to_numpy() * lines["margin"].to_numpy(), 2),
            "invoiced_at": invoiced,
            "paid_at": paid,
            **{c: capture[c].array for c in CAPTURE},
            **{c: approval[c].array for c in APPROVAL},
        }
    )


CAPTURE = ("po_number", "billing_address", "shipping_address")
APPROVAL = ("approval_requested_at", "approved_at", "approver")
# Approvers and their median hours to approve; the last one is slow.
APPROVERS = (("Finance: D. Weber", 5.0), ("Finance: M. Costa", 8.0), ("Deal desk: S. Ito", 40.0))


def _capture(
    state: DemoState, lines: pd.DataFrame, opportunities: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Returns (PO number and addresses, slip days, chronic late payers' extra days).

    Fields not captured are None; an incomplete order slips (columns: invoice, payment
    days). A repeat order belongs to the rep of the account's first won deal; every fifth rep often
    leaves fields out.
    """
    rng, n = state.cash_rng, len(lines)
    won = opportunities[opportunities["outcome"] == "won"].sort_values("closed_at")
    owner = won.drop_duplicates("account_id").set_index("account_id")["rep_id"]
    rep = owner.reindex(lines["account_id"].to_numpy()).fillna(0).to_numpy().astype(int)
    sloppy = np.where(rep % 5 == 2, 0.22, 0.03)
    account = lines["account_id"].to_numpy()
    chance = np.column_stack([sloppy, sloppy * 0.5, sloppy * 0.7])
    missing = np.asarray(rng.random((n, 3)) < chance, dtype=bool)
    values = {
        "po_number": numbered("PO-", np.arange(1, n + 1)),
        "billing_address": numbered("", account, width=1, suffix=" Billing St"),
        "shipping_address": numbered("", account, width=1, suffix=" Dock Rd"),
    }
    frame = pd.DataFrame(
        {
            name: pd.Series(text).where(~missing[:, k])
            for k, (name, text) in enumerate(values.items())
        }
    )
    incomplete = np.asarray(missing.any(axis=1), dtype=bool)
    slip = np.column_stack([rng.integers(2, 9, n), rng.integers(4, 21, n)])
    slip = np.where(incomplete[:, None], slip, 0)
    chronic = np.where(np.isin(account % 37, (5, 23)), rng.integers(45, 120, n), 0)
    return frame, slip, chronic


def _approvals(state: DemoState, lines: pd.DataFrame) -> pd.DataFrame:
    """Returns approval request, approval time and approver of the larger orders.

    Orders above the 70th percentile of amount need an approval, requested during the order
    day's working hours; the approver takes a lognormal number of hours around their median.
    Columns: approval_requested_at, approved_at, approver, approved_day (the order day
    when no approval is needed).
    """
    rng, n = state.cash_rng, len(lines)
    amount = lines["amount"].to_numpy()
    needs = amount > np.quantile(amount, 0.7) if n else np.zeros(0, bool)
    who = rng.integers(0, len(APPROVERS), n)
    median = np.array([h for _, h in APPROVERS])[who]
    hours = np.round(median * rng.lognormal(0, 0.6, n), 1)
    day = lines["ordered_at"].to_numpy().astype("datetime64[D]")
    requested = day + (9 * 60 + rng.integers(0, 8 * 60, n)).astype("timedelta64[m]")
    approved = requested + (hours * 60).astype(int).astype("timedelta64[m]")
    return pd.DataFrame(
        {
            "approval_requested_at": np.where(needs, requested, np.datetime64("NaT")),
            "approved_at": np.where(needs, approved, np.datetime64("NaT")),
            "approver": pd.Series(labels(who, [a for a, _ in APPROVERS])).where(needs),
            "approved_day": np.where(needs, approved.astype("datetime64[D]"), day),
        }
    )
