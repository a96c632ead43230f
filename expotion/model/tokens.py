"""MusicGen's codebook delay pattern, written out: codebook k runs k frames late.

Decoder input position 0 holds the start token for every codebook; position j holds
codebook k of frame j − 1 − k (the start/pad token where that frame does not exist). The
output at position p therefore predicts codebook k of frame p − k. N audio frames take
N + K − 1 decoding steps.
"""

from __future__ import annotations

import torch

IGNORE = -100


def delayed_inputs_and_labels(codes: torch.Tensor, pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels), both (B, K, N + K), from codes (B, K, N); labels are IGNORE where
    a position predicts no real frame."""
    batch, books, frames = codes.shape
    length = frames + books
    inputs = torch.full((batch, books, length), pad, dtype=codes.dtype, device=codes.device)
    labels = torch.full((batch, books, length), IGNORE, dtype=codes.dtype, device=codes.device)
    for k in range(books):
        inputs[:, k, k + 1 : k + 1 + frames] = codes[:, k]
        labels[:, k, k : k + frames] = codes[:, k]
    return inputs, labels


def undelay(delayed: torch.Tensor, frames: int) -> torch.Tensor:
    """Codes (B, K, frames) from generated outputs (B, K, ≥ frames + K − 1) in the delayed layout,
    where output column p holds codebook k of frame p − k."""
    books = delayed.shape[1]
    return torch.stack([delayed[:, k, k : k + frames] for k in range(books)], dim=1)
