"""Demo sizes: named scales and numbers of opportunities."""

from __future__ import annotations

import pytest

from salesops.demo import resolve_scale


def test_bad_scale_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown scale 'huge'"):
        resolve_scale("huge")
    with pytest.raises(ValueError, match="too small"):
        resolve_scale(5)
    assert resolve_scale("50000").opportunities == 50_000
