"""Training batches from the cache: random segments, text and video dropout, all derived
from (seed, step, process) — so a resumed run sees exactly the batches it would have."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from expotion.controls.timeline import DEFAULT_RATE
from expotion.errors import ExpotionError
from expotion.model.conditioner import control_features
from expotion.training.preprocess import load_entry


@dataclass
class Batch:
    codes: torch.Tensor  # (B, K, N)
    captions: list[str]
    features: dict[str, torch.Tensor]  # (B, N, F) per modality
    masks: dict[str, torch.Tensor]  # (B, N)


class SegmentSampler:
    def __init__(self, cache: Path, clip_ids: list[str], frames: int, modalities: tuple[str, ...], seed: int = 0,
                 text_dropout: float = 0.0, video_dropout: float = 0.0, frame_rate: float = DEFAULT_RATE):
        if not clip_ids:
            raise ExpotionError("no clips to train on")
        self.cache, self.frames, self.modalities, self.seed = Path(cache), frames, modalities, seed
        self.text_dropout, self.video_dropout = text_dropout, video_dropout
        self.clips = {clip: load_entry(self.cache, clip) for clip in clip_ids}
        for clip, (_, codes, _) in self.clips.items():
            if codes.shape[1] < frames:
                raise ExpotionError(f"clip {clip}: {codes.shape[1] / frame_rate:.2f} s of music is shorter than the "
                                    f"{frames / frame_rate:.2f} s training segment")
        self.ids = sorted(self.clips)

    def segment(self, clip: str, offset: int, drop_text: bool, drop_video: bool):
        controls, codes, caption = self.clips[clip]
        features, masks = control_features(controls, self.modalities)
        window = slice(offset, offset + self.frames)
        features = {n: f[window] for n, f in features.items()}
        masks = {n: torch.zeros_like(m[window]) if drop_video else m[window] for n, m in masks.items()}
        return torch.from_numpy(codes[:, window]), "" if drop_text else caption, features, masks

    def batch(self, step: int, size: int, process: int = 0) -> Batch:
        """The batch for `step` on `process`: clips, offsets and dropouts drawn from a
        generator seeded by (seed, step, process)."""
        rng = np.random.default_rng([self.seed, step, process])
        picks = rng.integers(0, len(self.ids), size)
        return self._collate([
            self.segment(self.ids[i], int(rng.integers(0, self.clips[self.ids[i]][1].shape[1] - self.frames + 1)),
                         bool(rng.random() < self.text_dropout), bool(rng.random() < self.video_dropout))
            for i in picks
        ])

    def evaluation_batches(self, size: int):
        """Fixed batches over every clip's first segment (no dropout), for validation loss."""
        for start in range(0, len(self.ids), size):
            yield self._collate([self.segment(clip, 0, False, False) for clip in self.ids[start : start + size]])

    @staticmethod
    def _collate(items) -> Batch:
        codes, captions, features, masks = zip(*items)
        return Batch(torch.stack(codes), list(captions),
                     {n: torch.stack([f[n] for f in features]) for n in features[0]},
                     {n: torch.stack([m[n] for m in masks]) for n in masks[0]})
