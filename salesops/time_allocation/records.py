"""JSON of the report's frames and dataclasses: NA becomes null, undefined figures a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.figures import Figure


def to_json(obj: object) -> dict[str, object]:
    """Returns a dataclass's fields as JSON-safe values.

    A Figure field ``x`` becomes ``x`` (its value) and ``x_reason``; a frame becomes records.
    """
    out: dict[str, object] = {}
    for key, value in vars(obj).items():
        if isinstance(value, Figure):
            out[key] = value.value
            out[f"{key}_reason"] = value.reason
        elif isinstance(value, pd.DataFrame):
            out[key] = records(value)
        else:
            out[key] = value
    return out


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the frame as JSON-safe records: NA/NaN become None, numpy scalars plain."""
    clean = frame.astype(object).where(frame.notna(), None)
    rows = clean.to_dict(orient="records")
    for rec in rows:
        for k, v in rec.items():
            if isinstance(v, np.generic):
                rec[k] = v.item()
            elif isinstance(v, pd.Timestamp):
                rec[k] = v.date().isoformat()
    return rows
