"""The visual conditioner ("joint embedding encoder"): Controls → one condition sequence.

Face, body and motion features are each normalised and projected; frames where a modality
was not seen — or a modality the model was built without, or one dropped for guidance —
take that modality's learned mask embedding instead. The three are summed with a time
encoding and mixed over neighbouring frames by a small temporal convolution.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from expotion.controls import Controls

# modality → the Controls fields it reads (each flattened per frame) and its mask field
MODALITIES = {
    "face": (("face_expression", "head_pose", "face_scalars"), "face_mask"),
    "body": (("body_keypoints", "body_visibility", "body_velocity"), "body_mask"),
    "motion": (("motion_energy", "motion_regions", "motion_flow", "movement_speed", "movement_pulse"), None),
}
HEAD_POSE_SCALE = 90.0  # degrees → about ±1


def control_features(controls: Controls, modalities: tuple[str, ...]) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Per-modality (T, F) float features (NaN → 0) and (T,) validity masks."""
    features, masks = {}, {}
    for name in modalities:
        fields, mask_field = MODALITIES[name]
        columns = []
        for field in fields:
            values = getattr(controls, field).reshape(controls.num_frames, -1).astype(np.float32)
            columns.append(values / HEAD_POSE_SCALE if field == "head_pose" else values)
        stacked = np.concatenate(columns, axis=1)
        valid = getattr(controls, mask_field) if mask_field else np.ones(controls.num_frames, bool)
        valid = valid & np.isfinite(stacked).all(axis=1)
        features[name] = torch.from_numpy(np.nan_to_num(stacked, nan=0.0))
        masks[name] = torch.from_numpy(valid)
    return features, masks


def time_encoding(length: int, dim: int, offset: int = 0) -> torch.Tensor:
    """Sinusoidal encoding of frame indices offset…offset+length−1 (periods 2 … ~2000 frames)."""
    positions = torch.arange(offset, offset + length, dtype=torch.float32)[:, None]
    frequencies = torch.exp(-math.log(1000.0) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    encoding = torch.zeros(length, dim)
    encoding[:, 0::2] = torch.sin(positions * frequencies)
    encoding[:, 1::2] = torch.cos(positions * frequencies[: dim // 2])
    return encoding


class VisualConditioner(nn.Module):
    def __init__(self, feature_sizes: dict[str, int], dim: int, kernel: int = 5):
        super().__init__()
        self.modalities = tuple(feature_sizes)
        self.dim = dim
        self.normalise = nn.ModuleDict({name: nn.LayerNorm(size) for name, size in feature_sizes.items()})
        self.project = nn.ModuleDict({name: nn.Linear(size, dim) for name, size in feature_sizes.items()})
        self.mask_embedding = nn.ParameterDict({name: nn.Parameter(torch.randn(dim) * 0.02) for name in feature_sizes})
        self.mix = nn.Conv1d(dim, dim, kernel, padding=kernel // 2, groups=dim)
        self.out = nn.LayerNorm(dim)

    def forward(self, features: dict[str, torch.Tensor], masks: dict[str, torch.Tensor], offset: int = 0) -> torch.Tensor:
        """(B, T, dim) condition from per-modality (B, T, F) features and (B, T) masks.
        A modality absent from `features` is masked everywhere."""
        reference = next(iter(masks.values()))
        batch, length = reference.shape
        total = time_encoding(length, self.dim, offset).to(self.out.weight)[None].expand(batch, -1, -1)
        for name in self.modalities:
            masked = self.mask_embedding[name].expand(batch, length, -1)
            if name in features:
                projected = self.project[name](self.normalise[name](features[name].to(self.out.weight)))
                masked = torch.where(masks[name][..., None], projected, masked)
            total = total + masked
        mixed = total + torch.nn.functional.gelu(self.mix(total.transpose(1, 2))).transpose(1, 2)
        return self.out(mixed)
