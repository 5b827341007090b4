"""Bookings forecasts: Prophet, a seasonal-naive baseline, backtests, pipeline and what-if.

Every model module is a pure function over small frames (no Streamlit, no SQL):

- `frequency`: weeks (Monday start) or months; `series` turns bookings rows into a regular
  series per scope; `history` decides whether a history can carry Prophet (two yearly
  cycles, no long zero gap) or needs a baseline, and says why in a sentence.
- `params` (ProphetParams, defaults from Settings), `prophet` (the fit, its band and
  components; `fast_prophet` is Prophet with exact, cheaper internals) and `naive`
  (naive and seasonal-naive baselines).
- `accuracy` (MAPE, WAPE as Figures) and `backtest` (rolling origin, Prophet against
  seasonal naive).
- `series_forecast`: one scope's forecast (`forecast_series`) and many scopes fitted on
  worker processes (`forecast_many`, `workers`), cached by a hash of the series and the
  parameters (`cache`); `summary` gives their JSON.
- `pipeline` (open pipeline weighted by the historical stage-to-win conversion), `quota`
  (forecast vs quota per quarter; `quarters` maps dates onto salesops.calendar quarters)
  and `what_if` (win rate, cycle length, headcount with a ramp, deal size: array arithmetic
  on a fitted forecast, no refit).
- `report`: what the Forecast page, the CLI and bench/ call.

Undefined numbers are `None` with a reason, never 0, inf or NaN.
"""
