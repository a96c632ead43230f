"""Training speed on CPU with random weights: seconds per step and segments per second, for
a tiny MusicGen and for one of musicgen-small's size.

    python benchmarks/train_step.py [--steps 3] [--segment-seconds 10] [--batch-size 2]

Each step: text encoding, the conditioner, a forward and backward pass of the adapted
decoder on 10 s segments, and an AdamW update of the adapter. Last line: `segments_per_s=X`
(musicgen-small size).
"""

from __future__ import annotations

import argparse
import time

import torch

from expotion.model import ExpotionConfig, ExpotionModel
from expotion.model.expotion_model import FEATURE_SIZES
from expotion.model.random_base import random_base


def seconds_per_step(size: str, steps: int, frames: int, batch: int) -> tuple[float, int]:
    model = ExpotionModel(random_base(size), ExpotionConfig(base_model=f"random-{size}"))
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2, weight_decay=0.02)
    vocab = model.base.config.decoder.vocab_size
    codes = torch.randint(0, vocab, (batch, model.num_codebooks, frames))
    features = {name: torch.randn(batch, frames, size_) for name, size_ in FEATURE_SIZES.items()}
    masks = {name: torch.ones(batch, frames, dtype=torch.bool) for name in FEATURE_SIZES}
    tokens = torch.randint(0, 100, (batch, 16))
    project = getattr(model.base, "enc_to_dec_proj", None)
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        with torch.no_grad():
            hidden = model.base.text_encoder(input_ids=tokens).last_hidden_state
            hidden = project(hidden) if project is not None else hidden
        loss, _ = model(codes, hidden, torch.ones_like(tokens), features, masks)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 0.1)
        optimiser.step()
        times.append(time.perf_counter() - start)
    return sum(times[1:]) / steps, model.num_trainable_parameters()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--segment-seconds", type=float, default=10.0)
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args()
    frames = int(args.segment_seconds * 50)
    for size in ("tiny", "small"):
        seconds, trainable = seconds_per_step(size, args.steps, frames, args.batch_size)
        print(f"{size:>5}: {seconds:7.3f} s/step  {args.batch_size / seconds:7.2f} segments/s "
              f"({args.batch_size} × {args.segment_seconds:g} s, {trainable:,} trainable parameters)")
    print(f"segments_per_s={args.batch_size / seconds:.3f}")


if __name__ == "__main__":
    main()
