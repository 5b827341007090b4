"""The thin repository layer: named, parameterised queries returning typed DataFrames.

`Repository` is composed of one query mixin per domain; SQL lives only here.
"""

from __future__ import annotations

from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.forecast import ForecastQueries
from salesops.repository.kpis import DimensionQueries, KpiQueries
from salesops.repository.pipeline_review import PipelineReviewQueries
from salesops.repository.quality import QualityQueries
from salesops.repository.territory import TerritoryQueries
from salesops.repository.time_allocation import TimeQueries


class Repository(
    KpiQueries,
    ForecastQueries,
    TerritoryQueries,
    TimeQueries,
    QualityQueries,
    PipelineReviewQueries,
    DimensionQueries,
    RepositoryBase,
):
    """Every named query the app, the CLI and the benchmarks use."""


__all__ = ["EVERYTHING", "Repository", "RepositoryBase", "Scope"]
