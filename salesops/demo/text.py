"""Text columns of the demo's big tables, built by Arrow rather than one Python str per row.

A DataFrame built from a list or numpy array of strings converts every value to Arrow's
text (pandas' `str` dtype), one Python object at a time: for the large demo's ~25M text
cells that was about a tenth of the generation's time. These build the same values as
Arrow arrays in C++: labels by code (a dictionary decoded), numbered ids zero-padded.
Each returns a pandas array of dtype `str`, equal value for value to the Python-built one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # what pandas makes of a list of str


def labels(codes: np.ndarray, names: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    """Returns names[code] for each code (a valid index into `names`; a None name: missing)."""
    decoded = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(names), pa.large_string())
    ).cast(pa.large_string())
    return pd.array(decoded, dtype=TEXT)


def numbered(
    prefix: str, numbers: np.ndarray, width: int = 7, suffix: str = ""
) -> pd.api.extensions.ExtensionArray:
    """Returns f"{prefix}{n:0{width}d}{suffix}" for each non-negative integer n."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    joined = pc.binary_join_element_wise(prefix, digits, suffix, "")
    return pd.array(joined.cast(pa.large_string()), dtype=TEXT)
