"""The training loop: adapter only, AdamW with warm-up and cosine decay, gradient clipping and
accumulation, mixed precision and any number of GPUs or nodes through `accelerate`, periodic
validation, adapter-only checkpoints with optimiser and scheduler state, and exact resume.
"""

from __future__ import annotations

import json
import math
import shutil
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from tqdm import tqdm

from expotion.errors import ExpotionError, ParameterError
from expotion.manifest import read_manifest
from expotion.model.expotion_model import ExpotionConfig
from expotion.training.data import SegmentSampler

STATE_NAME = "training_state.pt"


@dataclass
class TrainConfig:
    manifest: str  # JSONL manifest; relative video paths are relative to its folder
    cache: str  # folder written by `expotion preprocess`
    output: str  # checkpoints/, adapter/ and log.jsonl go here
    model: ExpotionConfig = field(default_factory=ExpotionConfig)  # base model and adapter: the [model] table
    segment_seconds: float = 10.0
    batch_size: int = 10  # per process
    steps: int = 2000
    learning_rate: float = 1e-2
    final_learning_rate: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.02
    grad_clip: float = 0.1
    grad_accumulation: int = 1
    mixed_precision: str = "no"  # "bf16" or "fp16" on GPUs
    text_dropout: float = 0.1  # condition dropout, so that guidance has its "no text" …
    video_dropout: float = 0.1  # … and "no video" branches
    eval_every: int = 100
    checkpoint_every: int = 200
    seed: int = 0
    tensorboard: bool = False

    @classmethod
    def from_file(cls, path: str | Path, base_model: str | None = None, **overrides) -> "TrainConfig":
        """Read a TOML config (training settings, and the model's in a [model] table); relative
        paths in it are relative to the file; overrides (and `base_model`) win."""
        path = Path(path)
        if not path.is_file():
            raise ExpotionError(f"no such config: {path}")
        try:
            values = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as error:
            raise ExpotionError(f"{path.name} is not valid TOML: {error}")
        model = values.pop("model", {})
        unknown = (set(values) - {f.name for f in fields(cls)}) | {f"model.{k}" for k in set(model) - {f.name for f in fields(ExpotionConfig)}}
        if unknown:
            raise ExpotionError(f"{path.name}: unknown settings {', '.join(sorted(unknown))}")
        if base_model is not None:
            model["base_model"] = base_model
        values["model"] = ExpotionConfig(**{**model, "modalities": tuple(model.get("modalities", ExpotionConfig().modalities))})
        for key in ("manifest", "cache", "output"):
            if key in values and not Path(values[key]).is_absolute():
                values[key] = str(path.parent / values[key])
        values.update({k: v for k, v in overrides.items() if v is not None})
        missing = [key for key in ("manifest", "cache", "output") if key not in values]
        if missing:
            raise ExpotionError(f"{path.name}: missing {', '.join(missing)}")
        return cls(**values)


def learning_rate_factor(config: TrainConfig):
    """Linear warm-up, then cosine decay from the learning rate to the final one."""
    floor = config.final_learning_rate / config.learning_rate

    def factor(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / config.warmup_steps
        progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def parameter_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Weight decay on the trainable matrices only: never on biases, norms, embeddings of masks
    or the zero-initialised gates (decay would pull a gate back shut)."""
    decayed, kept = [], []
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            (kept if parameter.ndim < 2 or name.endswith("gate") else decayed).append(parameter)
    return [{"params": decayed, "weight_decay": weight_decay}, {"params": kept, "weight_decay": 0.0}]


def latest_checkpoint(output: Path) -> Path | None:
    checkpoints = sorted((output / "checkpoints").glob("step-*"))
    return checkpoints[-1] if checkpoints else None


def _save_checkpoint(model, optimiser, scheduler, step: int, output: Path) -> None:
    final = output / "checkpoints" / f"step-{step:07d}"
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial / "adapter")
    torch.save({"step": step, "optimizer": optimiser.state_dict(), "scheduler": scheduler.state_dict()}, partial / STATE_NAME)
    partial.rename(final)  # a checkpoint exists whole or not at all


def _clips(config: TrainConfig) -> tuple[list[str], list[str]]:
    entries = read_manifest(config.manifest)
    with_split = [e for e in entries if e.split]
    if not with_split:
        return [e.clip_id for e in entries], []
    return [e.clip_id for e in entries if e.split == "train"], [e.clip_id for e in entries if e.split == "validation"]


def train(config: TrainConfig, resume: bool = False, progress: bool = False) -> list[dict]:
    """Train an adapter; returns the log (one dict per step, with val_loss where evaluated)."""
    from accelerate import Accelerator, DistributedDataParallelKwargs

    from expotion.model import ExpotionModel
    from expotion.model.expotion_model import load_base

    output = Path(config.output)
    accelerator = Accelerator(mixed_precision=config.mixed_precision, log_with="tensorboard" if config.tensorboard else None,
                              project_dir=str(output), kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])
    train_ids, validation_ids = _clips(config)
    checkpoint = latest_checkpoint(output)
    if resume and checkpoint is None:
        raise ParameterError("resume", f"needs a checkpoint, and {output / 'checkpoints'} holds none")
    if not resume and checkpoint is not None:
        raise ParameterError("output", f"already holds checkpoints ({output}): resume from them, or choose another output")
    base = load_base(config.model.base_model, accelerator.device)
    torch.manual_seed(config.seed)  # the adapter's initial weights
    if resume:
        model = ExpotionModel.from_pretrained(checkpoint / "adapter", base=base)
    else:
        model = ExpotionModel(base, config.model)
    frames = int(round(config.segment_seconds * model.frame_rate))
    sampler = SegmentSampler(Path(config.cache), train_ids, frames, model.config.modalities, config.seed,
                             config.text_dropout, config.video_dropout, model.frame_rate)
    validation = (SegmentSampler(Path(config.cache), validation_ids, frames, model.config.modalities, frame_rate=model.frame_rate)
                  if validation_ids else None)
    optimiser = torch.optim.AdamW(parameter_groups(model, config.weight_decay), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, learning_rate_factor(config))
    step, log = 0, []
    log_path = output / "log.jsonl"
    if resume:
        state = torch.load(checkpoint / STATE_NAME, map_location="cpu", weights_only=True)
        optimiser.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        if log_path.exists():
            log = [row for row in map(json.loads, log_path.read_text().splitlines()) if row["step"] <= step]

    model, optimiser, scheduler = accelerator.prepare(model, optimiser, scheduler)
    inner = accelerator.unwrap_model(model)
    if config.tensorboard:
        flat = {k: v for k, v in asdict(config).items() if k != "model"} | {f"model.{k}": str(v) for k, v in asdict(config.model).items()}
        accelerator.init_trackers("expotion", config=flat)
    bar = tqdm(total=config.steps, initial=step, desc="train", unit="step", disable=None if progress and accelerator.is_main_process else True)
    while step < config.steps:
        step += 1
        torch.manual_seed(config.seed * 1_000_003 + step)  # MusicGen's dropout: the same draw on resume
        batches = [sampler.batch(step * config.grad_accumulation + micro, config.batch_size, accelerator.process_index)
                   for micro in range(config.grad_accumulation)]
        total = optimise_step(model, inner, optimiser, scheduler, batches, accelerator, config.grad_clip)
        row = {"step": step, "loss": accelerator.gather(torch.tensor([total], device=accelerator.device)).mean().item(),
               "lr": scheduler.get_last_lr()[0]}
        if validation is not None and (step % config.eval_every == 0 or step == config.steps):
            row["val_loss"] = _validate(model, inner, validation, config.batch_size, accelerator.device)
        log.append(row)
        bar.update()
        bar.set_postfix(loss=f"{row['loss']:.3f}")
        if config.tensorboard:
            accelerator.log({k: v for k, v in row.items() if k != "step"}, step=step)
        if accelerator.is_main_process and (step % config.checkpoint_every == 0 or step == config.steps):
            # The log first: on resume it is cut back to the checkpoint, so it may run ahead of
            # the checkpoint but must never fall behind it (a kill between the two lost steps).
            _write_log(log, log_path)
            _save_checkpoint(inner, optimiser, scheduler, step, output)
    bar.close()
    if accelerator.is_main_process:
        inner.save_pretrained(output / "adapter")
        _write_log(log, log_path)
    accelerator.end_training()
    return log


def optimise_step(model, inner, optimiser, scheduler, batches: list, accelerator, grad_clip: float) -> float:
    """One optimiser step over `batches` (gradient accumulation): forward, backward, clip,
    update, schedule. Returns this process's mean loss."""
    model.train()
    total = 0.0
    for batch in batches:
        loss = _loss(model, inner, batch, accelerator.device) / len(batches)
        accelerator.backward(loss)
        total += loss.item()
    accelerator.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], grad_clip)
    optimiser.step()
    scheduler.step()
    optimiser.zero_grad(set_to_none=True)
    return total


def _loss(model, inner, batch, device) -> torch.Tensor:
    with torch.no_grad():
        text, mask = inner.encode_text(batch.captions)
    features = {n: f.to(device) for n, f in batch.features.items()}
    masks = {n: m.to(device) for n, m in batch.masks.items()}
    loss, _ = model(batch.codes.to(device), text, mask, features, masks)
    return loss


def _validate(model, inner, sampler: SegmentSampler, size: int, device) -> float:
    model.eval()
    with torch.no_grad():
        losses = [_loss(model, inner, batch, device).item() for batch in sampler.evaluation_batches(size)]
    return float(sum(losses) / len(losses))


def _write_log(log: list[dict], path: Path) -> None:
    from expotion.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(row) + "\n" for row in log))
