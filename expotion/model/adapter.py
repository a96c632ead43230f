"""The Expotion adapter: gated, zero-initialised, time-aligned prefix attention in a decoder layer.

Inside a frozen MusicGen self-attention, beside the usual causal attention over the music:

    out = out_proj( causal_attention(q, k, v)  +  gate ⊙ attention(q + prefix_q[t], prefix_k[t−w…t+w], prefix_v[…]) )

where prefix q/k/v are the layer's own frozen projections applied to the condition sequence
(merged into the layer's width by a trainable linear map), t is the music frame that the
query at that position predicts (codebook 0 of frame t under the delay pattern: input position
0 is the start token and the output there is frame 0's first codebook, so position p predicts
frame p, and codebook k of frame p − k), and the condition attention sees a window of ±w frames around t, with
a learned bias per head for each relative offset — any length, cheap per step, and aligned
to the frame. The per-head gate starts at zero, so
a new adapter leaves MusicGen's output exactly unchanged.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers.cache_utils import EncoderDecoderCache
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
from transformers.models.musicgen.modeling_musicgen import eager_attention_forward


class ExpotionAdapter(nn.Module):
    def __init__(self, condition_dim: int, model_dim: int, num_heads: int, window: int):
        super().__init__()
        self.num_heads, self.window = num_heads, window
        self.merge = nn.Linear(condition_dim, model_dim)
        self.offset_bias = nn.Parameter(torch.zeros(num_heads, 2 * window + 1))  # learned relative-time preference
        self.gate = nn.Parameter(torch.zeros(num_heads))

    def prefix(self, condition: torch.Tensor, attention: nn.Module) -> tuple[torch.Tensor, ...]:
        """(q, k, v, padding) of the condition by the layer's own projections: q is
        (B, heads, T, head_dim); k and v are zero-padded by w frames at both ends so that
        every window is a plain slice, and `padding` (T + 2w,) marks the padded frames."""
        merged = self.merge(condition)
        shape = (*merged.shape[:2], self.num_heads, -1)
        q, k, v = (proj(merged).view(shape).transpose(1, 2) for proj in (attention.q_proj, attention.k_proj, attention.v_proj))
        pad = (0, 0, self.window, self.window)
        padding = torch.ones(k.shape[2] + 2 * self.window, dtype=torch.bool, device=k.device)
        padding[self.window : self.window + k.shape[2]] = False
        return q, nn.functional.pad(k, pad), nn.functional.pad(v, pad), padding

    def forward(self, query: torch.Tensor, window: "AlignedWindow", prefix: tuple[torch.Tensor, ...], scaling: float) -> torch.Tensor:
        """Gated condition attention for queries (B, heads, L, head_dim) over their aligned windows."""
        prefix_q, padded_k, padded_v, padding = prefix
        shifted = (query + prefix_q[:, :, window.centre]).unsqueeze(-2)  # (B, H, L, 1, d)
        if window.single is not None:  # one query (a decoding step): the window is a slice, no copy
            span = slice(window.single, window.single + 2 * self.window + 1)
            keys, values, outside = padded_k[:, :, None, span], padded_v[:, :, None, span], padding[span]
        else:
            keys, values, outside = padded_k[:, :, window.frames], padded_v[:, :, window.frames], padding[window.frames]
        scores = torch.matmul(shifted, keys.transpose(-1, -2)).squeeze(-2) * scaling + self.offset_bias[None, :, None, :]
        scores = scores.masked_fill(outside, torch.finfo(scores.dtype).min)
        attended = torch.matmul(scores.softmax(-1).unsqueeze(-2), values).squeeze(-2)
        return self.gate.view(1, -1, 1, 1).to(attended.dtype) * attended


class AlignedWindow:
    """For the query positions of one decoder call: each one's aligned condition frame and
    the ±w frames around it (indices into the padded condition). Computed once per call
    and shared by every layer."""

    def __init__(self, first_position: int, length: int, frame_offset: int, condition_length: int, window: int, device):
        positions = torch.arange(first_position, first_position + length, device=device)
        self.centre = (positions + frame_offset).clamp(0, condition_length - 1)  # position p predicts frame p
        self.frames = self.centre[:, None] + torch.arange(2 * window + 1, device=device)[None, :]
        self.single = int(self.centre[0]) if length == 1 else None
        self.key = (first_position, length, frame_offset, condition_length, window)


class AdaptedSelfAttention(nn.Module):
    """MusicGen's causal self-attention (same weights, same attention kernel) with an
    Expotion adapter added before the output projection."""

    def __init__(self, attention: nn.Module, adapter: ExpotionAdapter):
        super().__init__()
        self.attention = attention
        self.adapter = adapter
        self.prefix: tuple[torch.Tensor, ...] | None = None  # set per batch by ExpotionModel
        self.frame_offset = 0  # audio frame of input position 0 (windowed generation)
        self.shared: dict = {}  # one dict for all layers of a model: the current AlignedWindow

    def forward(self, hidden_states, past_key_values=None, attention_mask=None, output_attentions=False, **kwargs):
        attention = self.attention
        batch, length, _ = hidden_states.shape
        heads_shape = (batch, length, -1, attention.head_dim)
        query = attention.q_proj(hidden_states).view(heads_shape).transpose(1, 2)
        key = attention.k_proj(hidden_states).view(heads_shape).transpose(1, 2)
        value = attention.v_proj(hidden_states).view(heads_shape).transpose(1, 2)
        past = 0
        if past_key_values is not None:
            cache = past_key_values.self_attention_cache if isinstance(past_key_values, EncoderDecoderCache) else past_key_values
            past = cache.get_seq_length(attention.layer_idx)
            key, value = cache.update(key, value, attention.layer_idx)
        attend = ALL_ATTENTION_FUNCTIONS.get_interface(attention.config._attn_implementation, eager_attention_forward)
        output, weights = attend(attention, query, key, value, attention_mask, dropout=0.0 if not self.training else attention.dropout,
                                 scaling=attention.scaling, output_attentions=output_attentions, **kwargs)
        if self.prefix is not None:
            key = (past, length, self.frame_offset, self.prefix[0].shape[2], self.adapter.window)
            window = self.shared.get("window")
            if window is None or window.key != key:
                window = self.shared["window"] = AlignedWindow(*key, device=hidden_states.device)
            extra = self.adapter(query, window, self.prefix, attention.scaling)  # (B, H, L, d)
            output = output + extra.transpose(1, 2)
        output = output.reshape(batch, length, -1).contiguous()
        return attention.out_proj(output), weights
