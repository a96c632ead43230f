"""`ExpotionModel`: a frozen Hugging Face MusicGen with a trainable visual adapter.

    model = ExpotionModel.from_base("facebook/musicgen-small", ExpotionConfig(), device="cpu")
    text, mask = model.encode_text(["laid-back reggae"])
    codes = model.generate_codes(controls, text, mask, frames=600, seed=0)   # 12 s at 50 Hz
    audio = model.decode_audio(codes)
    model.save_pretrained("my-adapter")              # safetensors + JSON, adapter only
    model = ExpotionModel.from_pretrained("my-adapter")
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from expotion.controls import Controls
from expotion.errors import ExpotionError, ParameterError
from expotion.hf import local_files_only, quiet_transformers
from expotion.model.adapter import AdaptedSelfAttention, ExpotionAdapter
from expotion.model.conditioner import VisualConditioner, control_features
from expotion.model.sampling import guide, sample
from expotion.model.tokens import IGNORE, delayed_inputs_and_labels, undelay
from expotion.options import DEFAULT_MUSICGEN, SamplingConfig

CONFIG_NAME = "adapter_config.json"
WEIGHTS_NAME = "adapter_model.safetensors"
# Per-frame feature sizes of each modality in `Controls` (face expression 195 + pose 3 +
# scalars 4; 13 keypoints × (2 + 1 + 2); energy 1 + 9 regions + 9 × 2 flow + speed 1 + beat pulse 1).
FEATURE_SIZES = {"face": 202, "body": 65, "motion": 30}


@dataclass
class ExpotionConfig:
    base_model: str = DEFAULT_MUSICGEN
    modalities: tuple[str, ...] = ("face", "body", "motion")
    condition_dim: int = 256
    adapter_layers: int | None = None  # the top N decoder layers get an adapter; None: all
    window: int = 25  # condition frames each side of the aligned frame (±0.5 s at 50 Hz)
    lora_rank: int = 0  # > 0 adds LoRA (peft) on the decoder's self-attention q and v
    lora_alpha: float = 16.0
    feature_sizes: dict[str, int] = field(default_factory=lambda: dict(FEATURE_SIZES))

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "modalities": list(self.modalities)}, indent=2)


def load_base(model_id: str, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32):
    """MusicGen (and its text tokenizer) from a local folder or the local Hugging Face cache —
    never the network, unless EXPOTION_ALLOW_DOWNLOAD=1; one clear error when unavailable."""
    from transformers import AutoTokenizer, MusicgenForConditionalGeneration

    quiet_transformers()
    local_only = local_files_only()
    try:
        model = MusicgenForConditionalGeneration.from_pretrained(model_id, dtype=dtype, local_files_only=local_only)
        model.tokenizer = AutoTokenizer.from_pretrained(model_id, local_files_only=local_only)
    except (OSError, ValueError) as error:
        reason = str(error).splitlines()[0][:160]
        raise ExpotionError(f"MusicGen weights '{model_id}' are not available offline (download them once, or give a local "
                            f"folder): {reason}")
    return model.to(device)


class ExpotionModel(nn.Module):
    def __init__(self, base, config: ExpotionConfig):
        super().__init__()
        self.base, self.config = base, config
        for parameter in base.parameters():
            parameter.requires_grad_(False)
        decoder_config = base.config.decoder
        self.num_codebooks = decoder_config.num_codebooks
        self.pad_token = decoder_config.pad_token_id if decoder_config.pad_token_id is not None else decoder_config.vocab_size
        self.frame_rate = float(base.config.audio_encoder.frame_rate)
        self.sample_rate = int(base.config.audio_encoder.sampling_rate)
        sizes = {name: config.feature_sizes[name] for name in config.modalities}
        self.conditioner = VisualConditioner(sizes, config.condition_dim)
        layers = base.decoder.model.decoder.layers
        first = 0 if config.adapter_layers is None else max(0, len(layers) - config.adapter_layers)
        self.adapted: list[AdaptedSelfAttention] = []
        shared: dict = {}
        for layer in layers[first:]:
            adapter = ExpotionAdapter(config.condition_dim, decoder_config.hidden_size, decoder_config.num_attention_heads, config.window)
            layer.self_attn = AdaptedSelfAttention(layer.self_attn, adapter)
            layer.self_attn.shared = shared
            self.adapted.append(layer.self_attn)
        if config.lora_rank > 0:
            from peft import LoraConfig, inject_adapter_in_model

            lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha,
                              target_modules=r".*self_attn\.attention\.(q_proj|v_proj)")
            inject_adapter_in_model(lora, base.decoder)
        self.to(next(base.parameters()).device)

    @property
    def adapters(self) -> list[ExpotionAdapter]:
        """The adapters, top decoder layers last (their weights live inside `base`)."""
        return [adapted.adapter for adapted in self.adapted]

    # ---- construction and files ---------------------------------------------------------
    @classmethod
    def from_base(cls, model_id: str | None = None, config: ExpotionConfig | None = None, *, device="cpu", dtype=torch.float32):
        config = config or ExpotionConfig()
        if model_id:
            config.base_model = model_id
        return cls(load_base(config.base_model, device, dtype), config)

    def save_pretrained(self, directory: str | Path) -> None:
        """Adapter only: adapter_config.json + adapter_model.safetensors (trainable weights)."""
        from expotion.atomic import atomic_path

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        weights = {name: p.detach().cpu().contiguous() for name, p in self.named_parameters() if p.requires_grad}
        with atomic_path(directory / WEIGHTS_NAME) as tmp:
            save_file(weights, str(tmp), metadata={"format": "pt", "base_model": self.config.base_model})
        with atomic_path(directory / CONFIG_NAME) as tmp:
            tmp.write_text(self.config.to_json() + "\n")

    @classmethod
    def from_pretrained(cls, directory: str | Path, *, base=None, base_model: str | None = None, device="cpu", dtype=torch.float32):
        """Restore a saved adapter onto its base MusicGen (loaded, or given as `base`)."""
        directory = Path(directory)
        if not (directory / CONFIG_NAME).is_file() or not (directory / WEIGHTS_NAME).is_file():
            raise ExpotionError(f"{directory} is not an Expotion adapter folder (needs {CONFIG_NAME} and {WEIGHTS_NAME})")
        saved = json.loads((directory / CONFIG_NAME).read_text())
        saved["modalities"] = tuple(saved["modalities"])
        config = ExpotionConfig(**saved)
        if base_model and base_model != config.base_model:
            raise ExpotionError(f"adapter {directory.name} was trained on {config.base_model}, not {base_model}")
        if config.feature_sizes != {k: v for k, v in FEATURE_SIZES.items() if k in config.feature_sizes}:
            raise ExpotionError(f"adapter {directory.name} expects controls {config.feature_sizes}; this version makes {FEATURE_SIZES}")
        model = cls(base if base is not None else load_base(config.base_model, device, dtype), config)
        weights = load_file(str(directory / WEIGHTS_NAME))
        expected = {name for name, p in model.named_parameters() if p.requires_grad}
        if set(weights) != expected:
            raise ExpotionError(f"adapter {directory.name} does not fit this base model (missing {sorted(expected - set(weights))[:3]}, "
                                f"unexpected {sorted(set(weights) - expected)[:3]})")
        own = dict(model.named_parameters())
        for name, value in weights.items():
            if own[name].shape != value.shape:
                raise ExpotionError(f"adapter {directory.name}: {name} is {tuple(value.shape)}, this base needs {tuple(own[name].shape)}")
        model.load_state_dict(weights, strict=False)
        return model.to(device)

    def num_trainable_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    # ---- conditions ----------------------------------------------------------------------
    def condition_inputs(self, controls: Controls, frames: int | None = None, drop_video: bool = False):
        """Features and masks (batch of one) of `controls` on the codec frame grid."""
        if abs(controls.rate - self.frame_rate) > 1e-6:
            controls = controls.resample_to(self.frame_rate)
        features, masks = control_features(controls, self.config.modalities)
        if frames is not None:  # pad (masked) or cut to exactly `frames`
            features = {n: _fit(f, frames) for n, f in features.items()}
            masks = {n: _fit(m, frames) for n, m in masks.items()}
        if drop_video:
            masks = {n: torch.zeros_like(m) for n, m in masks.items()}
        device = self.conditioner.out.weight.device
        return {n: f[None].to(device) for n, f in features.items()}, {n: m[None].to(device) for n, m in masks.items()}

    def set_condition(self, condition: torch.Tensor | None, frame_offset: int = 0) -> None:
        """Give every adapter its prefix for `condition` (B, T, dim); None switches them off."""
        for adapted in self.adapted:
            adapted.prefix = None if condition is None else adapted.adapter.prefix(condition, adapted.attention)
            adapted.frame_offset = frame_offset

    def encode_text(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(hidden states projected to the decoder width, attention mask) for prompts."""
        tokenizer = getattr(self.base, "tokenizer", None)
        device = self.conditioner.out.weight.device
        if tokenizer is None:
            raise ExpotionError("no text tokenizer: load the base model with its processor (MusicGen checkpoints ship one)")
        batch = tokenizer(prompts, return_tensors="pt", padding=True).to(device)
        hidden = self.base.text_encoder(input_ids=batch.input_ids, attention_mask=batch.attention_mask).last_hidden_state
        project = getattr(self.base, "enc_to_dec_proj", None)  # absent when the widths already match
        return (project(hidden) if project is not None else hidden), batch.attention_mask

    # ---- training forward ----------------------------------------------------------------
    def forward(self, codes: torch.Tensor, text_hidden: torch.Tensor, text_mask: torch.Tensor,
                features: dict[str, torch.Tensor] | None, masks: dict[str, torch.Tensor] | None):
        """Cross-entropy of the codes (B, K, N) given text and controls; returns (loss, logits)."""
        inputs, labels = delayed_inputs_and_labels(codes, self.pad_token)
        condition = self.conditioner(features, masks) if masks is not None else None
        self.set_condition(condition)
        try:
            logits = self._decode(inputs, text_hidden, text_mask)
        finally:
            self.set_condition(None)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=IGNORE)
        return loss, logits

    def _decode(self, inputs: torch.Tensor, text_hidden, text_mask, cache=None):
        batch, books, length = inputs.shape
        out = self.base.decoder(input_ids=inputs.reshape(batch * books, length), encoder_hidden_states=text_hidden,
                                encoder_attention_mask=text_mask, past_key_values=cache, use_cache=cache is not None)
        logits = out.logits.reshape(batch, books, length, -1)
        return (logits, out.past_key_values) if cache is not None else logits

    # ---- generation ----------------------------------------------------------------------
    @torch.no_grad()
    def generate_codes(self, controls: Controls | None, text_hidden: torch.Tensor, text_mask: torch.Tensor, frames: int, *,
                       seed: int = 0, sampling: SamplingConfig = SamplingConfig(), progress=None) -> torch.Tensor:
        """Codes (K, frames). Longer than one window: each next window continues from the
        previous one's last `sampling.overlap_s` seconds of tokens, with the controls re-aligned.
        `progress(done, total)` is told after every decoding step."""
        window, overlap = int(sampling.window_s * self.frame_rate), int(sampling.overlap_s * self.frame_rate)
        if not 0 <= overlap < window:
            raise ParameterError("overlap_s", "must be shorter than window_s")
        generator = torch.Generator(device="cpu").manual_seed(seed)
        codes = torch.zeros((self.num_codebooks, 0), dtype=torch.long)
        total = self._decoding_steps(frames, window, overlap)
        done = 0

        def tell(step: int) -> None:
            if progress:
                progress(done + step, total)

        while codes.shape[1] < frames:
            start = max(0, codes.shape[1] - overlap) if codes.shape[1] else 0
            prefix = codes[:, start:]
            new = min(window - prefix.shape[1], frames - codes.shape[1])
            window_codes = self._generate_window(controls, text_hidden, text_mask, start, prefix, new, generator, sampling, tell)
            done += prefix.shape[1] + new + self.num_codebooks - 1
            codes = torch.cat([codes, window_codes[:, prefix.shape[1]:]], dim=1)
        return codes

    def _decoding_steps(self, frames: int, window: int, overlap: int) -> int:
        """How many decoder steps `generate_codes` takes for `frames` codec frames."""
        steps, made = 0, 0
        while made < frames:
            prefix = min(made, overlap)
            new = min(window - prefix, frames - made)
            steps += prefix + new + self.num_codebooks - 1
            made += new
        return steps

    def _generate_window(self, controls, text_hidden, text_mask, start, prefix, new, generator, sampling: SamplingConfig, tell):
        frames = prefix.shape[1] + new
        device = self.conditioner.out.weight.device
        use_video = controls is not None and sampling.guidance_video != 0
        branches_text = [text_hidden, text_hidden, torch.zeros_like(text_hidden)] if use_video else [text_hidden, torch.zeros_like(text_hidden)]
        hidden = torch.cat(branches_text)
        mask = torch.cat([text_mask] * len(branches_text))
        if use_video:
            window_controls = controls.window(start / self.frame_rate, frames / self.frame_rate)
            features, masks = self.condition_inputs(window_controls, frames)
            null_masks = {n: torch.zeros_like(m) for n, m in masks.items()}
            condition = torch.cat([self.conditioner(features, masks), self.conditioner(features, null_masks), self.conditioner(features, null_masks)])
            self.set_condition(condition)
        batch = hidden.shape[0]
        steps = frames + self.num_codebooks - 1
        current = torch.full((batch, self.num_codebooks, 1), self.pad_token, dtype=torch.long, device=device)
        outputs = torch.full((self.num_codebooks, steps), self.pad_token, dtype=torch.long)
        cache = None
        try:
            for step in range(steps):
                if cache is None:
                    from transformers.cache_utils import DynamicCache, EncoderDecoderCache

                    cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
                logits, cache = self._decode(current, hidden, mask, cache)
                last = logits[:, :, -1].float()
                if use_video:
                    combined = guide(last[0], last[1], last[2], sampling.guidance_text, sampling.guidance_video)
                else:
                    combined = guide(last[0], None, last[1], sampling.guidance_text, sampling.guidance_video)
                chosen = sample(combined.cpu(), generator, sampling.temperature, sampling.top_k, sampling.top_p)
                for k in range(self.num_codebooks):
                    frame = step - k
                    if frame < 0 or frame >= frames:
                        chosen[k] = self.pad_token
                    elif frame < prefix.shape[1]:
                        chosen[k] = prefix[k, frame]
                outputs[:, step] = chosen
                current = chosen.to(device).view(1, -1, 1).expand(batch, -1, -1).contiguous()
                tell(step + 1)
        finally:
            self.set_condition(None)
        return undelay(outputs[None], frames)[0]

    @torch.no_grad()
    def decode_audio(self, codes: torch.Tensor) -> np.ndarray:
        """Mono float32 audio from codes (K, N) through the base model's EnCodec."""
        device = next(self.base.audio_encoder.parameters()).device
        audio = self.base.audio_encoder.decode(codes[None, None].to(device), [None]).audio_values
        return audio[0].mean(0).float().cpu().numpy()


def _fit(tensor: torch.Tensor, frames: int) -> torch.Tensor:
    """Cut or zero-pad (masked) axis 0 to `frames`."""
    if len(tensor) >= frames:
        return tensor[:frames]
    padding = torch.zeros((frames - len(tensor),) + tuple(tensor.shape[1:]), dtype=tensor.dtype)
    return torch.cat([tensor, padding])

