"""Many videos at once: a folder in, one result per video, resumable, shardable, and a bad video
never stops the others."""

import json
import subprocess
import sys

import numpy as np
import pytest

from expotion.batch import parse_shard, plan_jobs, read_prompts
from expotion.errors import ExpotionError, ParameterError
from expotion.testing import synthetic
from expotion.video import find_videos


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("videos")
    times = synthetic.constant_rate_times(2.0, 15.0)
    for name, turns in (("a", (0.7, 1.3)), ("sub/b", (0.6, 1.2)), ("sub/c", (0.9,))):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        synthetic.moving_portrait(root / f"{name}.mp4", times, turns, size=(320, 240))
    (root / "sub" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not a video at all")
    return root


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "expotion.cli", *map(str, args)], capture_output=True, text=True)


def test_a_folder_gives_one_result_per_video_and_a_bad_one_is_reported_not_fatal(folder, tmp_path):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(json.dumps({"video": "b.mp4", "prompt": "slow jazz"}) + "\n")
    out = tmp_path / "out"
    result = run_cli("generate", folder, "--out-dir", out, "--prompt", "funk", "--prompts", prompts, "--no-plot")
    assert result.returncode == 1  # a failure is reported to the scheduler …
    assert "3 done, 0 skipped (already complete), 1 failed" in result.stdout
    assert "broken.mp4" in result.stderr and "Traceback" not in result.stderr
    for name in ("a", "sub/b", "sub/c"):  # … and every good video was made anyway
        assert (out / f"{name}_with_music.mp4").is_file() and (out / f"{name}_with_music.wav").is_file()
    assert json.loads((out / "sub" / "b_with_music.json").read_text())["prompt"] == "slow jazz"
    assert json.loads((out / "a_with_music.json").read_text())["prompt"] == "funk"
    again = run_cli("generate", folder, "--out-dir", out, "--prompt", "funk", "--no-plot")
    assert "0 done, 3 skipped (already complete), 1 failed" in again.stdout  # resumes: nothing made twice


def test_a_single_video_finds_its_prompt_in_a_prompts_file_as_a_batch_does(folder, tmp_path):
    prompts = tmp_path / "prompts.json"
    prompts.write_text(json.dumps({"a": "slow jazz"}))  # by stem
    result = run_cli("generate", folder / "a.mp4", "--out", tmp_path / "a.mp4", "--prompt", "funk", "--prompts", prompts,
                     "--no-plot")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "a.json").read_text())["prompt"] == "slow jazz"


def test_the_most_specific_prompt_entry_wins(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(folder.parent)
    prompts = tmp_path / "prompts.json"
    prompts.write_text(json.dumps({"b": "by stem", "b.mp4": "by file name", f"./{folder.name}/sub/b.mp4": "by path",
                                   "a": "a by stem"}))
    jobs = {job.video.relative_to(folder).as_posix(): job.prompt
            for job in plan_jobs([folder], tmp_path / "out", "default", read_prompts(prompts))}
    assert jobs["sub/b.mp4"] == "by path"  # named by a path to the same file, spelt differently
    assert jobs["a.mp4"] == "a by stem"
    assert "default" in jobs.values()
    other = tmp_path / "elsewhere" / "b.mp4"
    assert read_prompts(prompts).prompt_for(other, "default") == "by file name"


def test_shards_split_the_list_exactly(folder, tmp_path):
    everything = {job.video for job in plan_jobs([folder], tmp_path)}
    parts = [{job.video for job in plan_jobs([folder], tmp_path, shard=(k, 3))} for k in (1, 2, 3)]
    assert set().union(*parts) == everything and sum(map(len, parts)) == len(everything) == 4
    with pytest.raises(ParameterError, match="shard"):
        parse_shard("4/3")


def test_two_videos_writing_the_same_output_are_refused(folder, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.mp4").write_bytes((folder / "a.mp4").read_bytes())
    with pytest.raises(ExpotionError, match="would both write"):
        plan_jobs([folder / "a.mp4", tmp_path / "x" / "a.mp4"], tmp_path / "out")


def test_workers_make_the_same_music_as_one_process(folder, tmp_path):
    from expotion.batch import run_batch
    from expotion.options import ComposerOptions

    jobs_one = plan_jobs([folder / "sub"], tmp_path / "one", "pop")
    jobs_two = plan_jobs([folder / "sub"], tmp_path / "two", "pop")
    one = run_batch(jobs_one, "composer", ComposerOptions(), workers=1, plot=False)
    two = run_batch(jobs_two, "composer", ComposerOptions(), workers=2, plot=False)
    assert len(one.done) == len(two.done) == 2 and len(two.failed) == 1
    for job_one, job_two in zip(jobs_one, jobs_two):
        if job_one.video.name != "broken.mp4":
            assert np.array_equal(np.fromfile(job_one.out.with_suffix(".wav"), np.uint8),
                                  np.fromfile(job_two.out.with_suffix(".wav"), np.uint8))


def test_a_folder_is_searched_for_camcorder_and_phone_videos_too(tmp_path):
    """AVCHD camcorders write .MTS, old phones .3gp: a folder of them is a folder of videos;
    other files are not."""
    names = ["a.mp4", "b.MTS", "c.m2ts", "d.3gp", "e.mov", "notes.txt", "cover.jpg"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [path.name for path in find_videos([tmp_path])] == ["a.mp4", "b.MTS", "c.m2ts", "d.3gp", "e.mov"]
