"""The thin repository layer: named, parameterised queries returning typed DataFrames.

`Repository` is composed of one query mixin per domain; SQL lives only here.
"""

from __future__ import annotations

from salesops.repository.access import AccessDenied, enforce
from salesops.repository.base import EVERYTHING, NOTHING, RepositoryBase, Scope
from salesops.repository.call import CallQueries
from salesops.repository.cash import CashQueries
from salesops.repository.forecast import ForecastQueries
from salesops.repository.kpis import DimensionQueries, KpiQueries
from salesops.repository.pipeline_review import PipelineReviewQueries
from salesops.repository.quality import QualityQueries
from salesops.repository.territory import TerritoryQueries
from salesops.repository.time_allocation import TimeQueries


@enforce
class Repository(
    KpiQueries,
    ForecastQueries,
    TerritoryQueries,
    TimeQueries,
    QualityQueries,
    PipelineReviewQueries,
    CallQueries,
    CashQueries,
    DimensionQueries,
    RepositoryBase,
):
    """Every named query the app, the CLI and the benchmarks use, limited to the viewer.

    `Repository(engine)` sees everything (the CLI, benchmarks); `Repository(engine, visible=
    scope)` intersects every query with `scope` (salesops.repository.access).
    """


__all__ = ["EVERYTHING", "NOTHING", "AccessDenied", "Repository", "RepositoryBase", "Scope"]
