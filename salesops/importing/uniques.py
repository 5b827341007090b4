"""Computing a column's values once per distinct value.

A million deals hold a few thousand dates, stages or owners: parsing each distinct text once
and spreading the results back is the same answer at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# Below this share of distinct values the per-value work is done on the distinct ones only.
_DISTINCT_SHARE = 0.5


def per_distinct(
    values: pd.Series, compute: Callable[[pd.Series], tuple[pd.Series, ...]]
) -> tuple[pd.Series, ...]:
    """Returns compute(values), computed on the distinct values when they are few enough.

    `compute` must treat each value on its own (its result for a value depends on nothing
    else); the results keep their dtypes and take `values`' index.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    if len(distinct) > _DISTINCT_SHARE * len(values):
        return compute(values)
    results = compute(pd.Series(distinct, dtype=values.dtype))
    return tuple(r.reset_index(drop=True).take(codes).set_axis(values.index) for r in results)
