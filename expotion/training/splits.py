"""Train/validation/test splits without leakage, and a check of existing splits.

Clips that share a participant or a song (the groups asked for) are joined into one
component; whole components are assigned to splits, so no participant or song crosses.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from expotion.errors import ParameterError
from expotion.manifest import ManifestEntry

SPLITS = ("train", "validation", "test")
KEYS = ("participant", "song", "session")


def _components(entries: list[ManifestEntry], by: tuple[str, ...]) -> list[list[int]]:
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        for key in by:
            value = getattr(entry, key)
            if value is None:
                continue
            other = first_with.setdefault((key, value), index)
            parent[find(index)] = find(other)
    groups = defaultdict(list)
    for index in range(len(entries)):
        groups[find(index)].append(index)
    return list(groups.values())


def make_split(entries: list[ManifestEntry], by: tuple[str, ...] = ("participant", "song"),
               ratios: tuple[float, ...] = (0.8, 0.1, 0.1), seed: int = 0) -> list[ManifestEntry]:
    """Entries with `split` set; groups that share any `by` value stay in one split."""
    if any(key not in KEYS for key in by):
        raise ParameterError("by", f"takes {', '.join(KEYS)}")
    if len(ratios) != len(SPLITS) or abs(sum(ratios) - 1) > 1e-6 or min(ratios) < 0:
        raise ParameterError("ratios", "must be three non-negative numbers summing to 1")
    components = _components(entries, by)
    np.random.default_rng(seed).shuffle(components)
    components.sort(key=len, reverse=True)  # big groups first, then fill the gaps
    targets = np.array(ratios) * len(entries)
    filled = np.zeros(len(SPLITS))
    assigned = {}
    for component in components:
        split = int(np.argmax(targets - filled))
        filled[split] += len(component)
        for index in component:
            assigned[index] = SPLITS[split]
    for index, entry in enumerate(entries):
        entry.split = assigned[index]
    return entries


def leaks(entries: list[ManifestEntry]) -> dict[str, dict[str, list[str]]]:
    """For each key: the values found in more than one split, with those splits."""
    report = {}
    for key in KEYS:
        where = defaultdict(set)
        for entry in entries:
            value = getattr(entry, key)
            if value is not None and entry.split:
                where[value].add(entry.split)
        report[key] = {value: sorted(splits) for value, splits in sorted(where.items()) if len(splits) > 1}
    return report
