"""The `expotion` command line: one subcommand per job, all calling the Python API."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from dataclasses import fields, is_dataclass

from expotion import __version__
from expotion.errors import ExpotionError, ParameterError
from expotion.options import (DEFAULT_MUSICGEN, BACKEND_OPTIONS, AnalysisSettings, ComposerOptions, MusicGenOptions,
                              SamplingConfig, analysis_settings, default_of)

BACKENDS = tuple(BACKEND_OPTIONS)
DEFAULT_BACKEND = "composer"



def _quiet_native_logs() -> None:
    """Send native libraries' stderr chatter (MediaPipe/TFLite print several lines of setup
    notices per model) to /dev/null, keeping Python's own stderr on the terminal.
    Set EXPOTION_NATIVE_LOGS=1 to see them."""
    if os.environ.get("EXPOTION_NATIVE_LOGS") == "1":
        return
    sys.stderr.flush()
    python_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(python_stderr, "w", buffering=1)


def _add_extract(subcommands) -> None:
    parser = subcommands.add_parser(
        "extract",
        help="face, body and motion controls of a video, on one time grid",
        description="Extract the controls of the person in VIDEO — face expression and head pose, "
        "upper-body keypoints, optical-flow motion and movement beats (where the body stops or turns) — resampled by timestamp onto "
        "a uniform grid (each shot of an edited video on its own), and save them as .npz.",
    )
    parser.add_argument("video", type=Path, help="input video (any format FFmpeg reads)")
    parser.add_argument("--out", type=Path, required=True, help="output .npz file")
    parser.add_argument("--rate", type=float, default=50.0,
                        help="grid rate in samples per second, 1–1000 (default 50, MusicGen's codec frame rate)")
    parser.add_argument("--plot", type=Path, help="also write a PNG of the controls over time")
    _add_analysis_flags(parser)
    parser.set_defaults(run=_run_extract)


def _run_extract(args) -> None:
    from expotion.controls import extract_controls
    from expotion.controls.plot import plot_controls
    from expotion.outputs import check_paths, written_together

    outputs = [args.out] + ([args.plot] if args.plot else [])
    settings = _analysis(args)
    check_paths(outputs, [args.video])
    controls = extract_controls(args.video, rate=args.rate, settings=settings, progress=True)
    if not controls.has_person:
        _warn(f"no person found in {args.video.name}: face and body controls are fully masked")
    with written_together(outputs) as tmp:
        controls.save_to(tmp[args.out])
        if args.plot:
            plot_controls(controls, tmp[args.plot])
    repeated, cuts = controls.provenance["repeated_frames"], controls.shot_cuts
    print(
        f"{args.out}: {controls.duration:.2f} s at {controls.rate:g} Hz, face on {controls.face_mask.mean():.0%} "
        f"and body on {controls.body_mask.mean():.0%} of the time, {len(controls.movement_beats)} movement beats"
        + (f"; {repeated} frames showed a picture again (each timed when its picture was taken)" if repeated else "")
        + (f"; it cuts to another shot at {', '.join(f'{time:.2f}' for time in cuts)} s (each shot analysed on its own)"
           if len(cuts) else "")
    )


def _add_option_flags(group, kind) -> None:
    """One flag per field of an options dataclass (nested ones flattened), help and default
    taken from the field; values are checked by the library, whoever calls it."""
    for spec in fields(kind):
        if is_dataclass(spec.type) or spec.name == "sampling":
            _add_option_flags(group, SamplingConfig)
            continue
        default = default_of(kind, spec.name)
        shown = f" (default {default:g})" if isinstance(default, (int, float)) and not isinstance(default, bool) else \
            (f" (default {default})" if default is not None else "")
        group.add_argument("--" + spec.name.replace("_", "-"), dest=spec.name, default=None,
                           type=type(default) if default is not None else str, help=spec.metadata["help"] + shown)


def _option_values(args, kind) -> dict:
    names = {spec.name for spec in fields(kind)}
    if "sampling" in names:
        names |= {spec.name for spec in fields(SamplingConfig)}
    return {name: value for name, value in vars(args).items() if name in names and value is not None}


def _analysis(args) -> AnalysisSettings:
    return analysis_settings(**_option_values(args, AnalysisSettings))


def _add_analysis_flags(parser) -> None:
    _add_option_flags(parser.add_argument_group("analysis", "how finely the video is looked at: the defaults are the "
                                                            "measured trade-off of speed against accuracy (README)"),
                      AnalysisSettings)


def _add_generate(subcommands) -> None:
    parser = subcommands.add_parser(
        "generate",
        help="music for a video (or many), written back into it",
        description="Write OUT.mp4: VIDEO with music for PROMPT as its sound track, exactly as long as the "
        "video, its beats where the person stops and turns. Also writes OUT.wav, OUT.json (tempo, key, "
        "sections, instruments, seed), OUT.mid (composer backend), OUT.png (controls with the music's beats) and, "
        "with --stems, OUT.<role>.wav per role. Nothing is written unless everything is, and never over the input. "
        "Several videos or folders with --out-dir: one DIR/<name>_with_music.mp4 per video; complete ones are "
        "skipped, so a killed run resumes; --shard K/N splits the list between machines.",
    )
    parser.add_argument("videos", type=Path, nargs="+", metavar="VIDEO", help="input video(s), or folders of videos")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="output .mp4 for a single VIDEO (siblings share its name)")
    where.add_argument("--out-dir", type=Path, help="output folder for many videos (sub-folders mirror the inputs')")
    parser.add_argument("--prompt", default="", help='text describing the music, e.g. "laid-back reggae with ukulele melody"')
    parser.add_argument("--prompts", type=Path, help="JSON {video: prompt} or JSONL lines {\"video\": …, \"prompt\": …}; "
                                                     "videos named by path, file name or stem, the most specific winning; others take --prompt")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS,
                        help="composer: embedded, offline, no weights (default); musicgen: MusicGen + Expotion adapter")
    parser.add_argument("--seed", type=int, help="random seed: the same seed gives the same music (default: derived from "
                                                 "the video's content and the prompt)")
    parser.add_argument("--stems", action="store_true", help="also write one WAV per role (melody, harmony, bass, drums)")
    parser.add_argument("--no-plot", action="store_true", help="do not write OUT.png")
    parser.add_argument("--cache-dir", type=Path, help="keep each video's controls here, so that making its music again "
                                                        "(another prompt, seed or setting) skips the analysis")
    parser.add_argument("--workers", type=int, default=1, help="videos made at once with --out-dir (default 1)")
    parser.add_argument("--shard", help="K/N: make only the K-th of every N videos (for job arrays on a cluster)")
    _add_analysis_flags(parser)
    _add_option_flags(parser.add_argument_group("composer backend"), ComposerOptions)
    _add_option_flags(parser.add_argument_group("musicgen backend"), MusicGenOptions)
    parser.set_defaults(run=_run_generate)


def _backend_values(args) -> dict:
    kind = BACKEND_OPTIONS[args.backend]
    values = _option_values(args, kind)
    foreign = set(_option_values(args, ComposerOptions if kind is MusicGenOptions else MusicGenOptions)) - set(values)
    if foreign:
        _warn(f"ignored for the {args.backend} backend: " + ", ".join("--" + n.replace("_", "-") for n in sorted(foreign)))
    if args.backend == "musicgen" and not values.get("adapter"):
        _note("no --adapter: text-only MusicGen (the paper's baseline); the video only sets the duration")
    return values


def _run_generate(args) -> None:
    if args.out_dir is not None:
        return _run_batch(args)
    if len(args.videos) != 1 or args.videos[0].is_dir():
        raise ParameterError("out", "takes a single video; for several videos or a folder use --out-dir")
    from expotion.pipeline import STAGES, Expotion

    interactive = sys.stderr.isatty()
    from expotion.batch import read_prompts

    pipe = Expotion.from_pretrained(args.backend, **_backend_values(args))
    analysis = _analysis(args)
    video = args.videos[0]
    prompt = read_prompts(args.prompts).prompt_for(video, args.prompt) if args.prompts else args.prompt

    bars = {}

    def tell(stage: str, fraction: float) -> None:
        """A line per stage; a bar for stages that say how far they are (MusicGen's decoding)."""
        if fraction == 0:
            print(f"expotion: {STAGES[stage]}…", file=sys.stderr)
            return
        from tqdm import tqdm

        bar = bars.setdefault(stage, tqdm(total=1000, desc=stage, leave=False, bar_format="{l_bar}{bar}| {elapsed}<{remaining}"))
        bar.update(int(fraction * 1000) - bar.n)

    try:
        result = pipe(video, prompt, args.out, seed=args.seed, plot=not args.no_plot, stems=args.stems,
                      cache_dir=args.cache_dir, analysis=analysis, progress=tell if interactive else None,
                      show_progress_bar=interactive)
    finally:
        for bar in bars.values():
            bar.close()
    if not result.controls.has_person:
        _warn(f"no person found in {video.name}: the music follows the prompt only")
    if result.encoded_from:
        _warn(f"MP4 cannot carry {video.name}'s {result.encoded_from} video: it was encoded as H.264 (CRF 18)")
    decisions = result.music.decisions
    if "tempo" in decisions:
        summary = (f"{decisions['tempo']['bpm']:.0f} BPM (tempo from the {decisions['tempo']['source']}) in "
                   f"{decisions['style']['time_signature']}, key {decisions['key']}")
    else:
        summary = f"{decisions['model']}" + (f" + adapter {decisions['adapter']}" if decisions.get("adapter") else " (text only)")
    print(f"{result.video}: {result.music.duration:.2f} s of music, {summary}, seed {result.seed}")
    if "soundfont" in decisions:
        print(f"played on {decisions['soundfont']}")
    print("wrote " + ", ".join(str(p) for p in result.files))


def _run_batch(args) -> None:
    from tqdm import tqdm

    from expotion.batch import parse_shard, plan_jobs, read_prompts, run_batch
    from expotion.options import backend_options

    options = backend_options(args.backend, **_backend_values(args))
    analysis = _analysis(args)
    jobs = plan_jobs(args.videos, args.out_dir, args.prompt, read_prompts(args.prompts) if args.prompts else None,
                     parse_shard(args.shard))
    bar = tqdm(total=len(jobs), unit="video", desc="videos", disable=None)

    def tell(job, outcome: str) -> None:
        bar.update()
        if outcome not in ("done", "skipped"):
            tqdm.write(f"expotion: {job.video}: {outcome}", file=sys.stderr)

    try:
        summary = run_batch(jobs, args.backend, options, workers=args.workers, seed=args.seed, plot=not args.no_plot,
                            stems=args.stems, cache_dir=args.cache_dir, analysis=analysis, progress=tell)
    finally:
        bar.close()
    print(f"{args.out_dir}: {summary.line()}")
    if summary.failed:
        raise ExpotionError(f"{len(summary.failed)} of {len(jobs)} videos failed (reasons above)")


def _add_evaluate(subcommands) -> None:
    parser = subcommands.add_parser(
        "evaluate",
        help="rhythm and sync metrics of any system's music for videos",
        description="Score how the music in INPUTS follows the person's movement with a ruler independent of "
        "any composer: music beats from librosa's beat tracker on the audio, movement beats where the body stops "
        "or turns (speed minima of the optical flow and of the body keypoints, both measured by the ruler itself at "
        "every picture, never the controls a composer aims at; speed peaks as a second convention). "
        "Beat Align Score both ways (σ=0.1 s, and 0.05 s beside it), BCS/BHS/F1 on 1 s bins (LORIS style), "
        "movement/music onset cross-correlation within ±0.5 s and its lag, and tempo consistency (strict and "
        "octave-tolerant), each beside its chance level from circularly shifted music. INPUTS are videos with a music track, audio files (their clip's "
        "video found in --videos by name) or folders of them; the system is the file's folder and the clip its "
        "name, unless --systems maps them. Writes DIR/results.json, DIR/results.md and DIR/plots/.",
    )
    parser.add_argument("inputs", type=Path, nargs="+", help="videos with music, audio files, or folders")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--videos", type=Path, help="folder with each clip's video, for audio-only inputs")
    parser.add_argument("--systems", type=Path, help='JSON mapping file name → {"system": …, "clip": …}')
    parser.add_argument("--no-plots", action="store_true", help="skip the per-clip plots")
    parser.add_argument("--prompts", type=Path, help="JSON {clip: prompt} or a manifest .jsonl: adds the CLAP score (text adherence)")
    parser.add_argument("--references", type=Path, help="folder of reference music (audio or videos): adds Fréchet Audio Distance")
    parser.add_argument("--fad-embeddings", default="encodec,clap", help="FAD embeddings to use (default encodec,clap)")
    parser.add_argument("--encodec-model", help="EnCodec checkpoint for FAD (default facebook/encodec_24khz)")
    parser.add_argument("--clap-model", help="CLAP checkpoint for FAD and the CLAP score (default laion/clap-htsat-unfused)")
    parser.set_defaults(run=_run_evaluate)


def _run_evaluate(args) -> None:
    from expotion.evaluation.embeddings import EMBEDDERS
    from expotion.evaluation.report import collect_entries, evaluate, markdown, read_prompts

    embeddings = tuple(name for name in args.fad_embeddings.split(",") if name)
    if any(name not in EMBEDDERS for name in embeddings):
        raise ExpotionError(f"--fad-embeddings takes {', '.join(EMBEDDERS)}")
    if args.references is not None and not args.references.is_dir():
        raise ExpotionError(f"--references must be a folder: {args.references}")
    entries = collect_entries(args.inputs, args.videos, args.systems)
    interactive = sys.stderr.isatty()
    results = evaluate(entries, args.out, plots=not args.no_plots,
                       progress=(lambda m: print(f"expotion: scoring {m}", file=sys.stderr)) if interactive else None,
                       prompts=read_prompts(args.prompts), references=args.references, fad_embeddings=embeddings,
                       models={"encodec": args.encodec_model, "clap": args.clap_model})
    for line in results["skipped"]:
        _warn(line)
    print(markdown(results["systems"], results["comparisons"], results["audio"]), end="")


def _add_data(subcommands) -> None:
    parser = subcommands.add_parser("data", help="training manifests: import, split, check a split",
                                    description="Make and check the JSONL manifest that `preprocess` and `train` read.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    hmm = actions.add_parser("import", help="a manifest from the Human Music Moves layout or a folder of your videos",
                             description="Write a manifest. --layout hmm reads {v1,v2}/clips/*.mp4, captions_v{1,2}.json and "
                             "train.lst/test.lst; --layout folder takes every video under ROOT (its own audio is the music, "
                             "VIDEO.txt beside it the caption, its sub-folder the participant).")
    hmm.add_argument("root", type=Path)
    hmm.add_argument("--layout", choices=["hmm", "folder"], default="hmm")
    hmm.add_argument("--caption", default="", help="caption for folder videos without a .txt")
    hmm.add_argument("--out", type=Path, required=True, help="manifest .jsonl (video paths inside are relative to its folder)")
    hmm.set_defaults(run=_run_data_import)
    split = actions.add_parser("split", help="assign train/validation/test with no participant or song in two splits")
    split.add_argument("manifest", type=Path)
    split.add_argument("--by", default="participant,song", help="keys that must not cross splits (participant, song, session)")
    split.add_argument("--ratios", default="0.8,0.1,0.1", help="train,validation,test fractions")
    split.add_argument("--seed", type=int, default=0)
    split.add_argument("--out", type=Path, required=True)
    split.set_defaults(run=_run_data_split)
    check = actions.add_parser("check-split", help="report participants, songs or sessions shared between splits")
    check.add_argument("manifest", type=Path)
    check.set_defaults(run=_run_data_check)


def _run_data_import(args) -> None:
    from expotion.manifest import import_folder, import_human_music_moves, write_manifest

    folder = args.out.parent
    entries = (import_human_music_moves(args.root, folder) if args.layout == "hmm"
               else import_folder(args.root, args.caption, folder))
    write_manifest(entries, args.out)
    print(f"{args.out}: {len(entries)} clips, {len({e.participant for e in entries})} participants, "
          f"{len({e.song for e in entries})} songs")


def _run_data_split(args) -> None:
    from expotion.manifest import read_manifest, write_manifest
    from expotion.training.splits import make_split

    try:
        ratios = tuple(float(x) for x in args.ratios.split(","))
    except ValueError:
        raise ExpotionError(f"--ratios must be numbers, got {args.ratios}")
    entries = make_split(read_manifest(args.manifest), tuple(args.by.split(",")), ratios, args.seed)
    write_manifest(entries, args.out)
    counts = {name: sum(e.split == name for e in entries) for name in ("train", "validation", "test")}
    print(f"{args.out}: " + ", ".join(f"{n} {c}" for n, c in counts.items()))


def _run_data_check(args) -> None:
    from expotion.manifest import read_manifest
    from expotion.training.splits import leaks

    report = leaks(read_manifest(args.manifest))
    for key, shared in report.items():
        print(f"{key}: {len(shared)} shared between splits" + (": " + ", ".join(f"{v} ({'/'.join(s)})" for v, s in list(shared.items())[:10]) if shared else ""))
    if any(report[key] for key in ("participant", "song")):
        raise ExpotionError("the split leaks: the same participant or song is in more than one split")


def _add_preprocess(subcommands) -> None:
    parser = subcommands.add_parser("preprocess", help="cache controls and EnCodec tokens for training",
                                    description="For every clip of MANIFEST not cached yet: controls at the codec frame rate "
                                    "and the music's EnCodec tokens, one file per clip in CACHE, written atomically (a killed "
                                    "run resumes where it stopped). Runs on several processes/GPUs under `accelerate launch`.")
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="cache folder")
    parser.add_argument("--model", default=DEFAULT_MUSICGEN, help=f"MusicGen whose EnCodec makes the tokens (default {DEFAULT_MUSICGEN})")
    parser.set_defaults(run=_run_preprocess)


def _run_preprocess(args) -> None:
    from expotion.manifest import read_manifest
    from expotion.training.preprocess import preprocess

    counts = preprocess(read_manifest(args.manifest), args.out, args.model, args.manifest.parent, progress=True)
    print(f"{args.out}: {counts['done']} clips cached, {counts['skipped']} already there")


def _add_train(subcommands) -> None:
    parser = subcommands.add_parser("train", help="fine-tune an Expotion adapter",
                                    description="Train the visual adapter on a preprocessed cache. CONFIG is a TOML file "
                                    "(see configs/); the flags below override it. Use `accelerate launch -m expotion.cli train …` "
                                    "for several GPUs or nodes.")
    parser.add_argument("config", type=Path)
    parser.add_argument("--resume", action="store_true", help="continue exactly from the latest checkpoint")
    for flag, kind in (("--manifest", str), ("--cache", str), ("--steps", int), ("--batch-size", int), ("--segment-seconds", float),
                       ("--learning-rate", float), ("--output", str),
                       ("--base-model", str), ("--seed", int), ("--mixed-precision", str), ("--grad-accumulation", int)):
        parser.add_argument(flag, type=kind, help=f"override {flag[2:].replace('-', '_')}")
    parser.set_defaults(run=_run_train)


def _run_train(args) -> None:
    from expotion.training.train import TrainConfig, train

    overrides = {name: getattr(args, name) for name in ("manifest", "cache", "steps", "batch_size", "segment_seconds", "learning_rate", "output",
                                                        "base_model", "seed", "mixed_precision", "grad_accumulation")}
    config = TrainConfig.from_file(args.config, **overrides)
    log = train(config, resume=args.resume, progress=True)
    last = log[-1] if log else {}
    print(f"{config.output}/adapter: {len(log)} steps, final loss {last.get('loss', float('nan')):.4f}")


def _add_app(subcommands) -> None:
    parser = subcommands.add_parser("app", help="a web page for creators, on this machine",
                                    description="Serve the Expotion web page (Gradio) on HOST:PORT: upload or record a video, "
                                    "describe the music, get the video back with its music, the files, and a plot of the "
                                    "beats on the movement. No share links, no analytics; stop it with Ctrl-C or SIGTERM, "
                                    "which removes every upload and result it kept.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--auth", help="USER:PASSWORD, or a file of USER:PASSWORD lines: ask visitors to log in "
                                       "(do, when --host is not a loopback address)")
    parser.add_argument("--max-duration", type=float, default=120.0, help="longest video accepted, in seconds (default 120)")
    parser.add_argument("--max-upload-mb", type=int, default=200, help="largest upload accepted, in MB (default 200)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests processed at once; others queue (default 1)")
    parser.add_argument("--model", help="MusicGen checkpoint for the neural backend")
    parser.add_argument("--adapter", help="Expotion adapter folder: enables the MusicGen + adapter backend")
    parser.set_defaults(run=_run_app)


def _run_app(args) -> None:
    print("Loading the Expotion app…", flush=True)
    # Ctrl-C waits until the imports are done: inside them, libraries turn the interrupt into
    # tracebacks of their own, and threads they start would otherwise share in receiving it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        from expotion.app import is_loopback, launch
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    if not args.auth and not is_loopback(args.host):
        _warn(f"listening on {args.host} without --auth: anyone who can reach this machine can use the app and "
              "download what it makes")
    print(f"Expotion app on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    launch(args.host, args.port, args.max_duration, args.concurrency, args.max_upload_mb, args.model, args.adapter, args.auth)


def _warn(message: str) -> None:
    print(f"expotion: warning: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(f"expotion: note: {message}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expotion",
        description="Music for a video of a person: the face steers the mood, the body the rhythm "
        "and energy, a text prompt the style; the music is written back into the video, frame-aligned.",
    )
    parser.add_argument("--version", action="version", version=f"expotion {__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_generate(subcommands)
    _add_extract(subcommands)
    _add_evaluate(subcommands)
    _add_data(subcommands)
    _add_preprocess(subcommands)
    _add_train(subcommands)
    _add_app(subcommands)
    return parser


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (how services are stopped) cleans up exactly like Ctrl-C


def _as_flag(error: ParameterError) -> str:
    return f"--{error.parameter.replace('_', '-')} {error.problem}"


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        args = build_parser().parse_args(argv)
        _quiet_native_logs()
        args.run(args)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # done: let the native libraries wind down in peace
    except ParameterError as error:
        print(f"expotion: error: {_as_flag(error)}", file=sys.stderr)
        return 1
    except ExpotionError as error:
        print(f"expotion: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("expotion: interrupted", file=sys.stderr)
        return 130
    return 0


def console() -> None:
    """The `expotion` command. Once a command other than `app` returns, everything it wrote
    is closed and in place, so the process ends at once: tearing down an interpreter that
    has loaded MediaPipe takes another 0.3–0.4 s. The app ends the
    usual way, so that its web server cleans up after itself."""
    code = main()
    if sys.argv[1:2] == ["app"]:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
