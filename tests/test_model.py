"""The Expotion model on tiny, randomly initialised MusicGen configurations (CPU)."""

import os

import numpy as np
import pytest
import torch

from expotion.controls import Controls
from expotion.errors import ExpotionError
from expotion.model import ExpotionConfig, ExpotionModel
from expotion.model.expotion_model import FEATURE_SIZES
from expotion.options import SamplingConfig
from expotion.testing.musicgen import random_base
from expotion.model.tokens import delayed_inputs_and_labels

FRAMES, MOTION = 100, FEATURE_SIZES["motion"]
# A larger initialisation than MusicGen's 0.02 lets signals pass the frozen random layers
# about as well as they pass a trained model's.
INIT_SCALE = 0.3


def tiny_model(seed=0, **options):
    config = ExpotionConfig(base_model="random-tiny", condition_dim=32, window=3, **options)
    return ExpotionModel(random_base("tiny", seed=seed, init_scale=INIT_SCALE), config)


def expressible_tokens(base):
    """Codes a random base's heads can most easily make most likely — those whose output
    rows are longest: per codebook the longest (the resting code), and for codebook 0 also
    the second longest (the beat code)."""
    order = [head.weight.norm(dim=1).argsort(descending=True).tolist() for head in base.decoder.lm_heads]
    return [rows[0] for rows in order], order[0][1]


# Re-run the learning test with other random models: EXPOTION_TEST_SEED=3 pytest tests/test_model.py
MODEL_SEED = int(os.environ.get("EXPOTION_TEST_SEED", "0"))
REST, HIGH = expressible_tokens(random_base("tiny", seed=MODEL_SEED, init_scale=INIT_SCALE))
LOW = REST[0]


def text_for(batch):
    return torch.zeros(batch, 1, 32), torch.ones(batch, 1, dtype=torch.long)


def beat_task(rng, batch=8):
    """Codebook 0 plays HIGH exactly at each movement-beat frame and LOW elsewhere; the
    other codebooks hold LOW."""
    curves = np.zeros((batch, FRAMES), np.float32)
    codes = np.repeat(np.array(REST)[None, :, None], batch, axis=0).repeat(FRAMES, axis=2)
    t = np.arange(FRAMES)
    for row in range(batch):
        beat = rng.integers(3, 12)
        while beat < FRAMES - 2:
            curves[row] += np.exp(-0.5 * (t - beat) ** 2)
            codes[row, 0, beat] = HIGH
            beat += rng.integers(8, 20)  # beats at least 0.16 s apart, as detected ones are
    features = np.zeros((batch, FRAMES, MOTION), np.float32)
    features[..., -1] = curves  # the movement-pulse channel of the motion features
    return {"motion": torch.from_numpy(features)}, {"motion": torch.ones(batch, FRAMES, dtype=torch.bool)}, torch.from_numpy(codes)


def test_zero_gates_leave_musicgen_exactly_unchanged():
    base = random_base("tiny", seed=1)
    codes = torch.randint(0, 64, (2, 4, 30))
    inputs, _ = delayed_inputs_and_labels(codes, 64)
    text, mask = torch.randn(2, 3, 32), torch.ones(2, 3, dtype=torch.long)
    with torch.no_grad():
        before = base.decoder(input_ids=inputs.reshape(8, -1), encoder_hidden_states=text, encoder_attention_mask=mask).logits
    model = ExpotionModel(base, ExpotionConfig(base_model="random-tiny", condition_dim=16, window=4, lora_rank=2))
    features, masks, _ = beat_task(np.random.default_rng(0), batch=2)
    with torch.no_grad():
        _, after = model(codes, text, mask, {"motion": features["motion"][:, :30]}, {"motion": masks["motion"][:, :30]})
    assert torch.equal(after.reshape(before.shape), before)
    assert model.num_trainable_parameters() > 0
    assert all(not p.requires_grad for p in base.audio_encoder.parameters())


def train(model, steps, seed=0):
    rng = np.random.default_rng(seed)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-2, weight_decay=0.0)
    warm_then_decay = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / 50) * max(0.02, 1 - s / steps))
    text, mask = text_for(8)
    for _ in range(steps):
        features, masks, codes = beat_task(rng)
        loss, _ = model(codes, text, mask, features, masks)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        warm_then_decay.step()
    return loss.item()


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(MODEL_SEED)
    model = tiny_model(seed=MODEL_SEED)
    train(model, 700, seed=MODEL_SEED)
    return model


@pytest.mark.parametrize("seed", [123, 456, 789])
def test_adapter_learns_a_frame_aligned_control(trained, seed):
    features, masks, codes = beat_task(np.random.default_rng(seed))  # curves never seen in training
    text, mask = text_for(8)
    with torch.no_grad():
        _, logits = trained(codes, text, mask, features, masks)
    predicted = logits[:, 0, :FRAMES].argmax(-1)  # position p predicts codebook 0 of frame p
    beats = codes[:, 0] == HIGH
    assert (predicted[beats] == HIGH).float().mean() > 0.9  # every beat frame …
    assert (predicted[~beats] == LOW).float().mean() > 0.97  # … and only those
    gates = [adapter.gate.detach().clone() for adapter in trained.adapters]
    try:
        for adapter in trained.adapters:
            adapter.gate.data.zero_()
        with torch.no_grad():
            _, closed = trained(codes, text, mask, features, masks)
        assert (closed[:, 0, :FRAMES].argmax(-1)[beats] == HIGH).float().mean() < 0.2
    finally:
        for adapter, gate in zip(trained.adapters, gates):
            adapter.gate.data.copy_(gate)


def test_save_and_load_give_identical_outputs(trained, tmp_path):
    trained.save_pretrained(tmp_path / "adapter")
    assert {p.name for p in (tmp_path / "adapter").iterdir()} == {"adapter_config.json", "adapter_model.safetensors"}
    loaded = ExpotionModel.from_pretrained(tmp_path / "adapter", base=random_base("tiny", seed=MODEL_SEED, init_scale=INIT_SCALE))
    features, masks, codes = beat_task(np.random.default_rng(9))
    text, mask = text_for(8)
    with torch.no_grad():
        _, original = trained(codes, text, mask, features, masks)
        _, restored = loaded(codes, text, mask, features, masks)
    assert torch.equal(original, restored)


def test_mismatched_base_or_folder_fails_clearly(trained, tmp_path):
    trained.save_pretrained(tmp_path / "adapter")
    with pytest.raises(ExpotionError, match="was trained on random-tiny"):
        ExpotionModel.from_pretrained(tmp_path / "adapter", base_model="facebook/musicgen-small")
    other = random_base("tiny")
    other.config.decoder.num_attention_heads = 8  # a differently shaped decoder
    with pytest.raises(ExpotionError, match="does not fit|width|needs"):
        ExpotionModel.from_pretrained(tmp_path / "adapter", base=_wider_base())
    with pytest.raises(ExpotionError, match="not an Expotion adapter"):
        ExpotionModel.from_pretrained(tmp_path)


def _wider_base():
    from expotion.testing import musicgen as module

    module.SIZES["wider"] = {**module.SIZES["tiny"], "hidden_size": 48}
    try:
        return module.random_base("wider")
    finally:
        del module.SIZES["wider"]


def test_missing_weights_offline_is_one_clear_line():
    with pytest.raises(ExpotionError, match="not available offline") as error:
        ExpotionModel.from_base("facebook/musicgen-small")
    assert "\n" not in str(error.value)


def controls_with_beats(seconds, beats):
    rate, frames = 50.0, int(seconds * 50)
    nan = lambda *shape: np.full((frames, *shape), np.nan)  # noqa: E731
    return Controls(rate, seconds, nan(195), nan(3), nan(4), np.zeros(frames, bool), nan(13, 2), nan(13), nan(13, 2),
                    np.zeros(frames, bool), np.zeros(frames), np.zeros((frames, 9)), np.zeros((frames, 9, 2)), np.zeros(frames),
                    np.asarray(beats, float), np.ones(len(beats)))


def test_guidance_scales_change_the_music(trained):
    controls = controls_with_beats(1.0, [0.2, 0.5, 0.8])
    text, mask = torch.randn(1, 2, 32), torch.ones(1, 2, dtype=torch.long)
    runs = {scale: trained.generate_codes(controls, text, mask, 40, seed=0, sampling=SamplingConfig(guidance_video=scale))
            for scale in (0.0, 3.0)}
    assert not torch.equal(runs[0.0], runs[3.0])
    again = trained.generate_codes(controls, text, mask, 40, seed=0, sampling=SamplingConfig(guidance_video=3.0))
    assert torch.equal(again, runs[3.0])  # and the seed makes it repeatable
    text_only = trained.generate_codes(controls, text, mask, 40, seed=0, sampling=SamplingConfig(guidance_video=3.0, guidance_text=1.0))
    assert not torch.equal(text_only, runs[3.0])


def test_windowed_generation_of_70_s_gives_exactly_70_s(trained):
    controls = controls_with_beats(70.0, np.arange(0.5, 70, 0.5))
    text, mask = torch.randn(1, 2, 32), torch.ones(1, 2, dtype=torch.long)
    steps = []
    codes = trained.generate_codes(controls, text, mask, 3500, seed=1, sampling=SamplingConfig(top_k=8),
                                   progress=lambda done, total: steps.append((done, total)))
    assert steps[-1][0] == steps[-1][1] and all(b[0] > a[0] for a, b in zip(steps, steps[1:]))  # progress reaches the end
    assert codes.shape == (4, 3500)
    assert (codes < 64).all()  # no start/pad tokens left in the music
    audio = trained.decode_audio(codes)
    assert len(audio) == 70 * 32000


def test_cli_generates_with_musicgen_and_an_adapter(videos, tmp_path):
    import json
    import subprocess
    import sys

    from expotion.testing.musicgen import save_random_checkpoint

    save_random_checkpoint(tmp_path / "musicgen-tiny")
    adapted = ExpotionModel(random_base("tiny"), ExpotionConfig(base_model=str(tmp_path / "musicgen-tiny"), condition_dim=16))
    for adapter in adapted.adapters:
        adapter.gate.data.fill_(0.5)
    adapted.save_pretrained(tmp_path / "adapter")
    video, _ = videos("15fps")
    out = tmp_path / "out" / "clip.mp4"
    command = [sys.executable, "-m", "expotion.cli", "generate", str(video), "--prompt", "happy piano", "--out", str(out),
               "--backend", "musicgen", "--adapter", str(tmp_path / "adapter"), "--no-plot"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    decisions = json.loads(out.with_suffix(".json").read_text())
    assert decisions["adapter"] == str(tmp_path / "adapter") and "adapter" in decisions["video_role"]
    assert not out.with_suffix(".mid").exists()  # no score from a neural backend
    text_only = subprocess.run(command[:-3] + ["--model", str(tmp_path / "musicgen-tiny"), "--no-plot"], capture_output=True, text=True)
    assert text_only.returncode == 0 and "only sets the duration" in text_only.stderr
    missing = subprocess.run(command[:-3] + ["--model", "facebook/musicgen-small"], capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr.strip().splitlines()[-1].startswith("expotion: error: MusicGen weights")
