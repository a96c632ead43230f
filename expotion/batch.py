"""Music for many videos: a folder (or a list) in, one result per video out, resumable and
shardable across machines.

Each video gets OUT_DIR/<its path under the folder given>/<name>_with_music.mp4 (and its
siblings). A video whose outputs are all there already is skipped, so a killed run picks up
where it stopped (outputs are written all together or not at all). `shard=(k, n)` takes every
n-th video starting with the k-th (1 ≤ k ≤ n) of the sorted list, so the tasks of a cluster
job array split a folder between them without talking to each other. One bad video never
stops the batch: it is reported with its one-line reason.
"""

from __future__ import annotations

import collections
import concurrent.futures
import json
import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from expotion.errors import ExpotionError, ParameterError
from expotion.generators import generator_class
from expotion.options import AnalysisSettings, check
from expotion.outputs import Outputs
from expotion.video import find_videos

OUT_SUFFIX = "_with_music.mp4"


@dataclass(frozen=True)
class Job:
    video: Path
    prompt: str
    out: Path


@dataclass
class BatchSummary:
    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    def line(self) -> str:
        return f"{len(self.done)} done, {len(self.skipped)} skipped (already complete), {len(self.failed)} failed"


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """"K/N" → (K, N), with 1 ≤ K ≤ N."""
    if not text:
        return None
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ParameterError("shard", f"must be K/N, e.g. 2/8, got {text!r}")
    if not 1 <= k <= n:
        raise ParameterError("shard", f"must be K/N with 1 ≤ K ≤ N, got {text!r}")
    return k, n


class Prompts:
    """Prompts by video, from a prompts file. An entry names its video by path (absolute, or
    relative to the current folder), by file name or by stem; the most specific entry wins."""

    def __init__(self, entries: dict[str, str]):
        self.by_name = dict(entries)
        self.by_path = {Path(key).resolve(): text for key, text in entries.items() if Path(key).suffix}

    def prompt_for(self, video: Path, default: str) -> str:
        """The prompt of the entry naming `video` most specifically, else `default`."""
        video = Path(video)
        for found in (self.by_path.get(video.resolve()), self.by_name.get(video.name), self.by_name.get(video.stem)):
            if found is not None:
                return found
        return default


def read_prompts(path: Path) -> Prompts:
    """The prompts of a JSON object {video: prompt} or of JSONL lines {"video": …, "prompt": …}."""
    try:
        text = path.read_text()
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            return Prompts({str(row["video"]): str(row["prompt"]) for row in rows})
        return Prompts({str(key): str(value) for key, value in json.loads(text).items()})
    except FileNotFoundError:
        raise ExpotionError(f"no such prompts file: {path}")
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise ExpotionError(f"{path.name} must map videos to prompts (JSON object, or JSONL with video and prompt): {error}")


def plan_jobs(inputs: list[Path], out_dir: Path, prompt: str = "", prompts: Prompts | None = None,
              shard: tuple[int, int] | None = None) -> list[Job]:
    """One job per video under `inputs`, in sorted order, this shard's share only."""
    jobs = []
    for root in map(Path, inputs):
        for video in find_videos([root]):
            relative = video.relative_to(root).parent if root.is_dir() else Path()
            jobs.append(Job(video, prompts.prompt_for(video, prompt) if prompts else prompt, out_dir / relative / f"{video.stem}{OUT_SUFFIX}"))
    jobs.sort(key=lambda job: str(job.video))
    clash = next((out for out, count in collections.Counter(job.out for job in jobs).items() if count > 1), None)
    if clash:
        raise ExpotionError(f"two videos would both write {clash}: give their folder instead, or run them apart")
    if shard:
        k, n = shard
        jobs = jobs[k - 1 :: n]
    return jobs


def _complete(job: Job, kind, plot: bool, stems: bool) -> bool:
    outputs = Outputs.plan(job.out, midi=kind.symbolic, plot=plot, stems=kind.stem_roles if stems else ())
    return all(path.is_file() for path in outputs.paths())


# One pipeline per worker process, built once by the pool's initializer.
_worker_pipe = None


def _start_worker(backend: str, options) -> None:
    global _worker_pipe
    from expotion.pipeline import Expotion

    _worker_pipe = Expotion.from_pretrained(backend, options)


def _run_one(job: Job, settings: dict) -> str | None:
    """None when done, else the one-line reason it failed."""
    try:
        _worker_pipe(job.video, job.prompt, job.out, **settings)
    except ExpotionError as error:
        return str(error)
    except Exception as error:  # one bad video never stops the batch
        return f"{type(error).__name__}: {error}"
    return None


def run_batch(jobs: list[Job], backend: str, options, *, workers: int = 1, seed: int | None = None, plot: bool = True,
              stems: bool = False, cache_dir: Path | None = None, analysis: AnalysisSettings = AnalysisSettings(),
              progress: Callable[[Job, str], None] | None = None) -> BatchSummary:
    """Make every job's music (skipping the complete ones) on `workers` processes; `progress`
    is told each job and what became of it ("done", "skipped" or the failure's reason)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError("workers", f"must be a whole number ≥ 1, got {workers!r}")
    check(analysis)
    summary = BatchSummary()
    tell = progress or (lambda job, outcome: None)
    settings = {"seed": seed, "plot": plot, "stems": stems, "cache_dir": cache_dir, "analysis": analysis}
    kind = generator_class(backend)
    todo = []
    for job in jobs:
        if _complete(job, kind, plot, stems):
            summary.skipped.append(job.video)
            tell(job, "skipped")
        else:
            todo.append(job)

    def record(job: Job, failure: str | None) -> None:
        if failure is None:
            summary.done.append(job.video)
        else:
            summary.failed.append((job.video, failure))
        tell(job, failure or "done")

    if workers == 1 or len(todo) <= 1:
        if todo:
            _start_worker(backend, options)
        for job in todo:
            record(job, _run_one(job, settings))
        return summary
    # Spawned, not forked: a fork of a process whose analysers have started threads can hang.
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, spawn, initializer=_start_worker, initargs=(backend, options)) as pool:
        futures = {pool.submit(_run_one, job, settings): job for job in todo}
        for future in concurrent.futures.as_completed(futures):
            record(futures[future], future.result())
    return summary
