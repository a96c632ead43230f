"""Stretches of a boolean vector, for the controls' smoothing (runs without gaps) and the
chart (lines broken at gaps, shaded bands)."""

from __future__ import annotations

import numpy as np


def true_runs(mask) -> list[tuple[int, int]]:
    """[start, stop) index pairs of each stretch where `mask` is true."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(mask, np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))
