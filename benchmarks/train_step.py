"""Training speed on CPU with random weights: seconds per step and segments per second, for
a tiny MusicGen and for one of musicgen-small's size.

    python benchmarks/train_step.py [--steps 3] [--segment-seconds 10] [--batch-size 2]

Each step is the training loop's own `optimise_step`, through `accelerate`: text encoding,
the conditioner, a forward and backward pass of the adapted decoder on 10 s segments, gradient
clipping, and an AdamW update (decay on matrices only) with the learning-rate schedule. Last
line: `segments_per_s=X` (musicgen-small size).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch
from accelerate import Accelerator

from expotion.model import ExpotionConfig, ExpotionModel
from expotion.model.expotion_model import FEATURE_SIZES, load_base
from expotion.testing.musicgen import save_random_checkpoint
from expotion.training.data import Batch
from expotion.training.train import TrainConfig, learning_rate_factor, optimise_step, parameter_groups


def seconds_per_step(size: str, steps: int, frames: int, batch_size: int) -> tuple[float, int]:
    accelerator = Accelerator(cpu=True)
    settings = TrainConfig(manifest="", cache="", output="", steps=steps + 1, warmup_steps=1)
    folder = tempfile.mkdtemp()
    save_random_checkpoint(folder, size)  # with its text tokenizer, as a downloaded checkpoint
    model = ExpotionModel(load_base(folder), ExpotionConfig(base_model=folder))
    optimiser = torch.optim.AdamW(parameter_groups(model, settings.weight_decay), lr=settings.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, learning_rate_factor(settings))
    model, optimiser, scheduler = accelerator.prepare(model, optimiser, scheduler)
    inner = accelerator.unwrap_model(model)
    vocab = inner.base.config.decoder.vocab_size
    batch = Batch(codes=torch.randint(0, vocab, (batch_size, inner.num_codebooks, frames)), captions=["happy reggae with guitar and drums"] * batch_size,
                  features={name: torch.randn(batch_size, frames, n) for name, n in FEATURE_SIZES.items()},
                  masks={name: torch.ones(batch_size, frames, dtype=torch.bool) for name in FEATURE_SIZES})
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        optimise_step(model, inner, optimiser, scheduler, [batch], accelerator, settings.grad_clip)
        times.append(time.perf_counter() - start)
    return sum(times[1:]) / steps, inner.num_trainable_parameters()


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
