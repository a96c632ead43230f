"""Choosing the next tokens: guidance over text and video, then temperature, top-k, top-p."""

from __future__ import annotations

import torch


def guide(full: torch.Tensor, text_only: torch.Tensor | None, neither: torch.Tensor | None,
          text_scale: float, video_scale: float) -> torch.Tensor:
    """Classifier-free guidance with separate scales:
    neither + text_scale·(text_only − neither) + video_scale·(full − text_only).
    A branch that was not run (None) contributes nothing beyond `full`."""
    if text_only is None:
        return full if neither is None else neither + text_scale * (full - neither)
    if neither is None:
        return text_only + video_scale * (full - text_only)
    return neither + text_scale * (text_only - neither) + video_scale * (full - text_only)


def sample(logits: torch.Tensor, generator: torch.Generator, temperature: float = 1.0, top_k: int = 250,
           top_p: float = 0.0) -> torch.Tensor:
    """One token per row of (rows, vocab) logits; temperature 0 takes the most likely."""
    if temperature <= 0:
        return logits.argmax(-1)
    logits = logits / temperature
    if 0 < top_k < logits.shape[-1]:
        threshold = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < threshold, float("-inf"))
    if 0 < top_p < 1:
        ordered, order = logits.sort(dim=-1, descending=True)
        cumulative = ordered.softmax(-1).cumsum(-1)
        drop = cumulative - ordered.softmax(-1) > top_p  # keep the smallest set reaching top_p
        logits = logits.masked_fill(torch.zeros_like(drop).scatter(-1, order, drop), float("-inf"))
    probabilities = logits.float().softmax(-1)
    return torch.multinomial(probabilities, 1, generator=generator).squeeze(-1)
