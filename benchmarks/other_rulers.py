"""Does the music meet the person's stops as rulers of other code see them? Real footage.

    python benchmarks/other_rulers.py [--variants] [VIDEO_OR_FOLDER ...]

`expotion evaluate`'s ruler is independent of the composer, but it is still this project's: its
flow and keypoints are measured by its own code (`expotion/evaluation/measure.py`: Farnebäck
at 320 px, MediaPipe Pose on every picture, velocities smoothed over 50 ms).
Judges of held-out footage measure with code of their own. This benchmark adds two rulers that
use none of the project's code, only the published definition (movement beats are local minima
of speed):

- other flow: Farnebäck optical flow with OpenCV's default settings between consecutive
  full-size frames, its mean speed over the frame;
- other pose: MediaPipe Pose with its own landmark smoothing, the mean speed of its first 25
  landmarks (head, arms, hands, hips) where each is judged visible;

each smoothed by a Gaussian of 1.5 frames, its minima those with a prominence of a tenth of its
5–95 % range. For every video (default: the dev clips) it composes music from the video's
controls with the prompts of benchmarks/sync.py, hears its beats with librosa, and prints BAS
motion→music over chance (σ = 0.1 s, mean over prompts) against the ruler's flow and body stops
and against the two other rulers, per clip and on average. `--variants` adds the variants of
benchmarks/variants.py and, where the `ffmpeg` command exists, the same three variants written
by FFmpeg (x264 CRF 20). Last line: `other_rulers_delta=flow X pose Y`.

Before it, what the music could reach, scored the same way: clicks exactly on the composer's
movement beats (its detection of stops, before any tempo or grid), and each other ruler's own
stops scored against the other (how far two measurements of the same movement agree).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import av  # noqa: E402
import cv2  # noqa: E402
import mediapipe  # noqa: E402
import numpy as np  # noqa: E402
from scipy.ndimage import gaussian_filter1d  # noqa: E402
from scipy.signal import find_peaks  # noqa: E402

from expotion.audio.timing import music_timing  # noqa: E402
from expotion.evaluation.movement import movement_beats  # noqa: E402
from expotion.evaluation.report import clip_controls, clip_movement  # noqa: E402
from expotion.generators import create_generator  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync import PROMPTS, delta_over_chance, videos_from  # noqa: E402
from variants import LATER_S, SPEEDS, variants_of  # noqa: E402

POSE_LANDMARKS = 25
VISIBLE = 0.5
SMOOTHING_FRAMES = 1.5
PROMINENCE = 0.1
RULERS = ("ruler flow", "ruler body", "other flow", "other pose")


def speed_minima(times: np.ndarray, speed: np.ndarray) -> np.ndarray:
    finite = np.isfinite(speed)
    if finite.sum() < 3:
        return np.zeros(0)
    filled = np.interp(np.arange(len(speed)), np.flatnonzero(finite), speed[finite])
    smooth = gaussian_filter1d(filled, SMOOTHING_FRAMES, mode="nearest")
    low, high = np.percentile(smooth, [5, 95])
    minima, _ = find_peaks(-smooth, prominence=PROMINENCE * (high - low))
    return times[minima]


def other_stops(video: Path) -> dict[str, np.ndarray]:
    """Stops of the full-size frames' flow and of MediaPipe's landmarks, in seconds from the
    first frame, in one pass over the video."""
    pose = mediapipe.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True)
    times, flow, landmarks, previous = [], [], [], None
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            if times and frame.time <= times[-1]:
                continue
            image = frame.to_ndarray(format="rgb24")
            grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
            if previous is not None:
                vectors = cv2.calcOpticalFlowFarneback(previous, grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
                flow.append(np.linalg.norm(vectors, axis=2).mean() / grey.shape[0] / (frame.time - times[-1]))
            found = pose.process(image).pose_landmarks
            points = np.full((POSE_LANDMARKS, 2), np.nan)
            if found is not None:
                for index, point in enumerate(found.landmark[:POSE_LANDMARKS]):
                    if point.visibility > VISIBLE:
                        points[index] = point.x * image.shape[1] / image.shape[0], point.y
            landmarks.append(points)
            times.append(frame.time)
            previous = grey
    pose.close()
    times = np.array(times) - times[0]
    between = (times[1:] + times[:-1]) / 2
    steps = np.linalg.norm(np.diff(np.array(landmarks), axis=0), axis=2) / np.diff(times)[:, None]
    seen = np.isfinite(steps).any(axis=1)
    pose_speed = np.full(len(steps), np.nan)
    pose_speed[seen] = np.nanmean(steps[seen], axis=1)
    return {"other flow": speed_minima(between, np.array(flow)), "other pose": speed_minima(between, pose_speed)}


def ffmpeg_variants(video: Path, work: Path) -> list[Path]:
    """The variants of benchmarks/variants.py, written by FFmpeg instead (timestamps scaled at
    the input, x264 CRF 20)."""
    encode = ["-an", "-fps_mode", "passthrough", "-enc_time_base", "1:90000", "-video_track_timescale", "90000",
              "-c:v", "libx264", "-crf", "20", "-preset", "fast"]
    jobs = {f"{video.stem}_ffmpeg-{name}.mp4": ["-itsscale", f"{1 / speed:g}", "-i", str(video)] for name, speed in SPEEDS.items()}
    jobs[f"{video.stem}_ffmpeg-later-mirrored.mp4"] = ["-ss", f"{LATER_S:g}", "-i", str(video), "-vf", "hflip"]
    for name, inputs in jobs.items():
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *inputs, *encode, str(work / name)], check=True)
    return [work / name for name in jobs]


def with_variants(videos: list[Path], work: Path) -> list[Path]:
    clips = []
    for video in videos:
        clips += [video, *variants_of(video, work)]
        clips += ffmpeg_variants(video, work) if shutil.which("ffmpeg") else []
    return clips


def score(video: Path, cache: Path) -> dict[str, float]:
    """Δ over chance of the composer's music for `video`, mean over prompts, against each ruler;
    and what is within reach (module docstring)."""
    controls = clip_controls(video, cache)
    movement = clip_movement(video, controls, cache)
    stops = {"ruler flow": movement_beats(movement, "flow"), "ruler body": movement_beats(movement, "body"), **other_stops(video)}

    def delta(ruler: str, beats: np.ndarray) -> float:
        return delta_over_chance(stops[ruler], beats, controls.duration) if len(stops[ruler]) else np.nan

    reach = {f"stops vs {ruler}": delta(ruler, controls.movement_beats) for ruler in RULERS[2:]}
    reach["other pose vs other flow"] = delta("other flow", stops["other pose"])
    reach["other flow vs other pose"] = delta("other pose", stops["other flow"])
    composer, deltas = create_generator("composer"), {ruler: [] for ruler in RULERS}
    for prompt in PROMPTS.values():
        music = composer.generate(controls, prompt, controls.duration, seed=0)
        heard = music_timing(music.audio, music.sample_rate).beats
        for ruler in RULERS:
            deltas[ruler].append(delta(ruler, heard))
    return {**{ruler: float(np.mean(values)) for ruler, values in deltas.items()}, **reach}


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if argument != "--variants"]
    work = Path(tempfile.mkdtemp())
    videos = videos_from(arguments)
    clips = with_variants(videos, work) if "--variants" in sys.argv[1:] else videos
    print(f"{'clip':<44}" + "".join(f"{ruler:>12}" for ruler in RULERS))
    rows = []
    for clip in clips:
        rows.append(score(clip, work / "controls"))
        print(f"{clip.stem:<44}" + "".join(f"{rows[-1][ruler]:+12.3f}" for ruler in RULERS), flush=True)
    means = {ruler: np.nanmean([row[ruler] for row in rows]) for ruler in RULERS}
    print(f"{f'mean over {len(rows)} clips':<44}" + "".join(f"{means[ruler]:+12.3f}" for ruler in RULERS))
    reach = {name: np.nanmean([row[name] for row in rows]) for name in rows[0] if name not in RULERS}
    print("within reach: clicks on the composer's movement beats against the other flow "
          f"{reach['stops vs other flow']:+.3f}, the other pose {reach['stops vs other pose']:+.3f}; "
          f"the other pose's stops against the other flow {reach['other pose vs other flow']:+.3f}, "
          f"the other flow's against the other pose {reach['other flow vs other pose']:+.3f}")
    print(f"other_rulers_delta=flow {means['other flow']:.3f} pose {means['other pose']:.3f}")


if __name__ == "__main__":
    main()
