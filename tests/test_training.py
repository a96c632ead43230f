"""Import → split → preprocess → train → checkpoint → kill and resume → generate, on CPU
with a tiny random MusicGen and short synthetic videos that carry generated music."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from expotion.errors import ExpotionError
from expotion.testing.musicgen import save_random_checkpoint
from expotion.pipeline import generate
from expotion.manifest import ManifestEntry, import_folder, read_manifest, write_manifest
from expotion.training.preprocess import load_entry, preprocess
from expotion.training.splits import leaks, make_split
from expotion.model import ExpotionConfig
from expotion.training import train as train_module
from expotion.training.train import TrainConfig, train
from expotion.testing import synthetic

CLIPS = [("ann", "happy pop piano"), ("ann", "slow sad violin"), ("bob", "reggae guitar"), ("cid", "fast rock drums"),
         ("dee", "calm jazz")]


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "expotion.cli", *map(str, args)], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("training")
    save_random_checkpoint(root / "musicgen-tiny", init_scale=0.3)
    for index, (person, caption) in enumerate(CLIPS):
        raw = root / "raw" / f"{index}.mp4"
        synthetic.moving_portrait(raw, synthetic.constant_rate_times(3.0, 15.0), [0.5 + 0.2 * index, 1.4, 2.3], size=(320, 240))
        video = root / "videos" / person / f"clip{index}.mp4"
        generate(raw, caption, video, plot=False)
        for sibling in (".wav", ".mid", ".json"):
            video.with_suffix(sibling).unlink()
        video.with_suffix(".txt").write_text(caption)
    entries = make_split(import_folder(root / "videos", manifest_folder=root), ("participant", "song"), (0.6, 0.2, 0.2), seed=0)
    write_manifest(entries, root / "manifest.jsonl")
    preprocess(entries, root / "cache", str(root / "musicgen-tiny"), root)
    return root


def config_for(root: Path, output: str) -> TrainConfig:
    return TrainConfig(manifest=str(root / "manifest.jsonl"), cache=str(root / "cache"), output=str(root / output),
                       model=ExpotionConfig(base_model=str(root / "musicgen-tiny"), condition_dim=16, window=3),
                       segment_seconds=2.0, batch_size=4, steps=20, learning_rate=3e-2, warmup_steps=3, eval_every=5,
                       checkpoint_every=5)


def test_import_reads_captions_participants_and_the_split_has_no_leak(workspace):
    entries = read_manifest(workspace / "manifest.jsonl")
    assert [e.caption for e in entries] == [caption for _, caption in CLIPS]
    assert [e.participant for e in entries] == [person for person, _ in CLIPS]
    assert not any(leaks(entries)[key] for key in ("participant", "song"))
    assert {e.split for e in entries} == {"train", "validation", "test"}
    result = cli("data", "check-split", workspace / "manifest.jsonl")
    assert result.returncode == 0 and "participant: 0 shared" in result.stdout


def test_check_split_reports_a_leaking_split(workspace, tmp_path):
    entries = read_manifest(workspace / "manifest.jsonl")
    entries[0].split, entries[1].split = "train", "test"  # ann in both
    write_manifest(entries, tmp_path / "leaky.jsonl")
    result = cli("data", "check-split", tmp_path / "leaky.jsonl")
    assert result.returncode == 1 and "participant: 1 shared" in result.stdout and "ann" in result.stdout


def test_human_music_moves_layout_is_imported(tmp_path):
    clips = tmp_path / "v1" / "clips"
    clips.mkdir(parents=True)
    names = ["12.mp4_ProudPeacock_2023-05-01T10-00-00_clip1", "12.mp4_DelightfulOwl_2023-05-02T11-00-00_clip2"]
    for name in names:
        (clips / f"{name}.mp4").write_bytes(b"")
    (tmp_path / "captions_v1.json").write_text(json.dumps([{"audio_id": "12", "caption": "an upbeat song"}]))
    (tmp_path / "v1" / "train.lst").write_text(names[0] + "\n")
    result = cli("data", "import", tmp_path, "--layout", "hmm", "--out", tmp_path / "m.jsonl")
    assert result.returncode == 0, result.stderr
    first, second = sorted(read_manifest(tmp_path / "m.jsonl"), key=lambda e: e.participant != "ProudPeacock")
    assert (first.song, first.participant, first.caption, first.split) == ("12", "ProudPeacock", "an upbeat song", "train")
    assert first.session == "ProudPeacock_2023-05-01T10-00-00" and second.split is None
    assert (tmp_path / first.video).exists()  # relative to the manifest's folder


def test_preprocess_is_resumable(workspace):
    assert len(list((workspace / "cache").glob("*.npz"))) == len(CLIPS)
    entries = read_manifest(workspace / "manifest.jsonl")
    assert preprocess(entries, workspace / "cache", str(workspace / "musicgen-tiny"), workspace) == {"done": 0, "skipped": len(CLIPS)}
    controls, codes, caption = load_entry(workspace / "cache", "clip0")
    assert codes.shape[0] == 4 and abs(codes.shape[1] - controls.num_frames) <= 1 and caption == CLIPS[0][1]


@pytest.fixture(scope="module")
def uninterrupted(workspace):
    return train(config_for(workspace, "run_full"))


def test_training_lowers_the_loss_and_writes_checkpoints(workspace, uninterrupted):
    losses = [row["loss"] for row in uninterrupted]
    assert len(losses) == 20 and np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.05
    validation = [row["val_loss"] for row in uninterrupted if "val_loss" in row]
    assert len(validation) == 4 and validation[-1] < validation[0]
    checkpoints = sorted(p.name for p in (workspace / "run_full" / "checkpoints").iterdir())
    assert checkpoints == ["step-0000005", "step-0000010", "step-0000015", "step-0000020"]
    assert (workspace / "run_full" / "adapter" / "adapter_model.safetensors").is_file()


def test_kill_and_resume_continues_the_same_curve(workspace, uninterrupted):
    config = config_for(workspace, "run_killed")
    config_file = workspace / "killed.toml"
    config_file.write_text("\n".join(f"{k} = {json.dumps(v)}" for k, v in vars(config).items() if v is not None and k != "model")
                           + f'\n[model]\nbase_model = {json.dumps(config.model.base_model)}\ncondition_dim = 16\nwindow = 3\n')
    process = subprocess.Popen([sys.executable, "-m", "expotion.cli", "train", str(config_file)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = workspace / "run_killed" / "checkpoints" / "step-0000010"
    deadline = time.time() + 120
    while not checkpoint.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert checkpoint.exists()
    resumed = cli("train", config_file, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    log = [json.loads(line) for line in (workspace / "run_killed" / "log.jsonl").read_text().splitlines()]
    assert [row["step"] for row in log] == list(range(1, 21))
    np.testing.assert_allclose([row["loss"] for row in log], [row["loss"] for row in uninterrupted], rtol=1e-5)


@pytest.mark.parametrize("killed_in", ["_write_log", "_save_checkpoint"])
def test_a_kill_between_the_log_and_the_checkpoint_loses_no_step(workspace, uninterrupted, monkeypatch, killed_in):
    """Stopped just after step 10's log or just after its checkpoint, a resumed run still
    logs every step once, with the uninterrupted run's losses."""
    config = config_for(workspace, f"run_stopped_in{killed_in}")
    real = getattr(train_module, killed_in)

    def then_stop(*args):
        real(*args)
        step = args[0][-1]["step"] if killed_in == "_write_log" else args[3]
        if step == 10:
            raise KeyboardInterrupt

    monkeypatch.setattr(train_module, killed_in, then_stop)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    monkeypatch.setattr(train_module, killed_in, real)
    log = train(config, resume=True)
    assert [row["step"] for row in log] == list(range(1, 21))
    written = [json.loads(line) for line in (Path(config.output) / "log.jsonl").read_text().splitlines()]
    assert [row["step"] for row in written] == list(range(1, 21))
    np.testing.assert_allclose([row["loss"] for row in written], [row["loss"] for row in uninterrupted], rtol=1e-5)


def test_trained_adapter_generates(workspace, uninterrupted, videos):
    video, _ = videos("15fps")
    out = workspace / "generated" / "clip.mp4"
    result = cli("generate", video, "--prompt", "happy piano", "--out", out, "--backend", "musicgen",
                 "--adapter", workspace / "run_full" / "adapter", "--no-plot")
    assert result.returncode == 0, result.stderr
    assert json.loads(out.with_suffix(".json").read_text())["adapter"].endswith("adapter")


def test_clear_errors_name_the_clip(workspace, tmp_path):
    write_manifest([ManifestEntry("ghost", "nowhere/ghost.mp4", "a song")], tmp_path / "missing.jsonl")
    with pytest.raises(ExpotionError, match="clip ghost: video file not found"):
        preprocess(read_manifest(tmp_path / "missing.jsonl"), tmp_path / "cache", str(workspace / "musicgen-tiny"))
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(ExpotionError, match="empty"):
        read_manifest(tmp_path / "empty.jsonl")
    with pytest.raises(ExpotionError, match="clip0: .* shorter than"):
        train(replace(config_for(workspace, "too_long"), segment_seconds=30.0))
    broken = tmp_path / "cache_copy"
    broken.mkdir()
    for entry in (workspace / "cache").iterdir():
        (broken / entry.name).write_bytes(entry.read_bytes())
    (broken / "clip2.npz").write_bytes((workspace / "cache" / "clip2.npz").read_bytes()[:500])
    with pytest.raises(ExpotionError, match="clip clip2: cache entry clip2.npz is corrupt"):
        load_entry(broken, "clip2")
