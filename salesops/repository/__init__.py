"""The thin repository layer: named, parameterised queries returning typed DataFrames.

`Repository` is composed of one query mixin per domain; SQL lives only here.
"""

from __future__ import annotations

from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.kpis import DimensionQueries, KpiQueries
from salesops.repository.pipeline_review import PipelineReviewQueries


class Repository(KpiQueries, DimensionQueries, PipelineReviewQueries, RepositoryBase):
    """Every named query the app, the CLI and the benchmarks use."""


__all__ = ["EVERYTHING", "Repository", "RepositoryBase", "Scope"]
