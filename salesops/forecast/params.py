"""ProphetParams: the settings of one Prophet fit (part of every forecast's cache key).

Every default is the matching `Settings` field (`salesops settings` lists them); a field
left None is chosen by frequency where the fit is made (see salesops.forecast.prophet).
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.config import Settings

SEASONALITY_MODES = ("additive", "multiplicative")
ALGORITHMS = ("LBFGS", "Newton", "BFGS")


@dataclass(frozen=True)
class ProphetParams:
    """Prophet settings used for a fit; part of the cache key.

    `min_cycles` is the yearly cycles of history a fit needs (fewer: a baseline instead,
    see salesops.forecast.history); the Fourier orders default by frequency.
    """

    yearly_fourier_order: int | None = None  # None: 10 weekly, 5 monthly
    quarterly: bool = Settings.forecast_quarterly_seasonality
    quarterly_fourier_order: int | None = None  # None: 3 weekly, 1 monthly
    country_holidays: str | None = None
    seasonality_mode: str = Settings.forecast_seasonality_mode
    changepoint_prior_scale: float = Settings.changepoint_prior_scale
    interval_width: float = Settings.forecast_interval_width
    uncertainty_samples: int = Settings.prophet_uncertainty_samples
    seed: int = Settings.prophet_seed
    algorithm: str = Settings.prophet_algorithm
    min_cycles: int = Settings.forecast_min_cycles

    def validate(self) -> ProphetParams:
        """Returns self after checking the values; raises ValueError with a clear sentence."""
        if self.seasonality_mode not in SEASONALITY_MODES:
            raise ValueError("seasonality_mode must be 'additive' or 'multiplicative'.")
        if not 0 < self.interval_width < 1:
            raise ValueError("interval_width must be between 0 and 1.")
        if self.algorithm not in ALGORITHMS:
            raise ValueError("algorithm must be 'LBFGS', 'Newton' or 'BFGS'.")
        if self.country_holidays:
            import holidays

            if self.country_holidays.upper() not in holidays.list_supported_countries():
                raise ValueError(
                    f"Unknown holiday country {self.country_holidays!r}: "
                    "use a two-letter code such as US, GB, DE or FR."
                )
        return self


DEFAULT_PARAMS = ProphetParams()


def page_params(settings: Settings) -> ProphetParams:
    """Returns the Prophet settings the Forecast page starts with (its model options' defaults).

    The one rule behind the page's model options, the forecasts fitted on load and the stored
    default results: quarterly seasonality and the seasonality mode from `settings` (anything
    but "multiplicative" is additive), no holidays.
    """
    multiplicative = settings.forecast_seasonality_mode == "multiplicative"
    return ProphetParams(
        quarterly=settings.forecast_quarterly_seasonality,
        seasonality_mode="multiplicative" if multiplicative else "additive",
    )
