"""Weekly pipeline review: point-in-time snapshots, the pipeline waterfall and deal lists.

Everything here is computed from opportunity_history: one row per change of a deal
(the first row is its creation; a row with outcome won/lost closes it; a later open
row reopens it), never from today's values on the opportunities table.

Definitions shared by every module (they are the contract the page, the CLI and the tests
share; each module's docstring holds the definitions of what it computes):

* **Dates** are UTC calendar dates. A timezone-aware timestamp is converted to UTC and
  truncated to its date before anything else.
* **Week**: an ISO week, Monday to Sunday. `Week.start` is the Monday, `Week.end` the next
  Monday (exclusive). ISO years have 52 or 53 weeks; the week label is ISO (`2026-W53`).
* **Snapshot at an instant** `t` (a date, meaning the start of that day): for each deal,
  its last history row with `changed_at < t`; rows with the same `changed_at` are taken in
  the order given (the repository orders them by row id). A deal with no such row did not
  exist yet. The opening snapshot of a week is at `week.start`, the closing one at
  `week.end`, so the closing snapshot includes every change dated Monday to Sunday.
* **Review quarter**: the calendar quarter containing the week's Thursday, i.e. the quarter
  holding at least four of its seven days (the rule ISO uses to give a week to a year).
  Both snapshots are measured against this one quarter, so a week that straddles two
  quarters is not distorted by the calendar turning. Callers may pass another quarter.
* **The pipeline** at an instant: deals whose snapshot row is open (outcome `open`) with
  `expected_close_date` inside the review quarter. A missing amount counts as 0.

Modules: history (normalised history, snapshots, the pipeline), movements (each deal's
contribution to the week), waterfall (the week's totals), attributes (deal names and reps
joined onto the frames), deal_lists, rollups (forecast categories by rep), coverage, scope
(whose pipeline), report (the whole review, read through the repository), meeting_pack.
"""
