"""`audiogent`: the command line. Thin: parses flags, calls agent.core, prints."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

from agent.artifacts import Session, StepRecord, list_sessions
from agent.errors import AudiogentError, BadInput, PlanError
from agent.paths import sessions_dir
from agent.plan import Plan

EXIT_OK, EXIT_STEP_FAILED, EXIT_USER_ERROR = 0, 1, 2


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("request", help="what you want, in words (English or Chinese)")
    p.add_argument("-i", "--input", action="append", default=[], type=Path, metavar="FILE",
                   help="an input file (repeat for several); refer to them as 'this', 'the first', ...")
    p.add_argument("--session", default="default", help="session name (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print a machine-readable result")
    _add_planner_flags(p)
    p.add_argument("--max-upload-mb", type=float, default=512, help="refuse input files larger than this")


def _add_planner_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--planner", choices=["auto", "rules", "llm"], default="auto",
                   help="rules (no model), llm (an OpenAI-compatible endpoint), auto: llm when one is configured")
    p.add_argument("--llm-base-url", help="OpenAI-compatible base URL (env AUDIOGENT_LLM_BASE_URL)")
    p.add_argument("--llm-model", help="model name (env AUDIOGENT_LLM_MODEL)")
    p.add_argument("--llm-api-key", help="API key (env AUDIOGENT_LLM_API_KEY or OPENAI_API_KEY)")
    p.add_argument("--llm-timeout", type=float, help="seconds per LLM call (default 60)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audiogent", description="An audio agent: ask in words, get audio back.")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("tools", help="list every tool, its backends and which are available here")
    t.add_argument("--json", action="store_true")

    p = sub.add_parser("plan", help="print the validated plan for a request without running it")
    _add_common(p)

    r = sub.add_parser("run", help="plan and run a request")
    _add_common(r)
    r.add_argument("-o", "--output-dir", type=Path, help="also copy the final outputs here")
    r.add_argument("--step-timeout", type=float, default=900, help="seconds before a step is abandoned")

    e = sub.add_parser("eval", help="run an eval suite (consistency, robustness, capability) and write a report")
    e.add_argument("suite", choices=["consistency", "robustness", "capability"])
    _add_planner_flags(e)
    e.add_argument("--split", choices=["tune", "heldout", "all"], default="all", help="which items (default: all)")
    e.add_argument("--limit", type=int, help="only the first N items")
    e.add_argument("--ids", help="only these item ids, comma-separated")
    e.add_argument("--data", type=Path, help="the JSONL file (default: evals/data/<suite>.jsonl)")
    e.add_argument("--only", help="capability: only these checks or tools, comma-separated (e.g. asr,loudness)")
    e.add_argument("--out", type=Path, help="output folder (default: $AUDIOGENT_HOME/evals/<suite>-<time>/)")
    e.add_argument("--history", type=Path, help="history file (default: $AUDIOGENT_HOME/evals/history.jsonl)")
    e.add_argument("--keep-work", action="store_true", help="keep the eval sessions and inputs in <out>/work")
    e.add_argument("--json", action="store_true", help="print the full result as JSON")

    av = sub.add_parser("avatar", help="prepare talking-head avatars (done once per photo or clip, then cached)")
    avsub = av.add_subparsers(dest="action", required=True)
    ap = avsub.add_parser("prepare", help="find the face, mouth and eyes and build the warp fields; print the cache")
    ap.add_argument("source", nargs="?", type=Path, help="a portrait photo (png/jpg) or a short idle clip (mp4)")
    ap.add_argument("--default", action="store_true", help="the default avatar (skimage.data.astronaut)")
    ap.add_argument("--force", action="store_true", help="prepare again even when it is cached")
    ap.add_argument("--json", action="store_true")

    sv = sub.add_parser("serve", help="the studio (web UI), the avatar page and the HTTP API")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s; others need a token)")
    sv.add_argument("--port", type=int, default=7860, help="port (default: %(default)s)")
    sv.add_argument("--token", help="require this token on every route (env AUDIOGENT_TOKEN)")
    sv.add_argument("--max-upload-mb", type=float, default=512, help="refuse uploads larger than this")
    sv.add_argument("--step-timeout", type=float, default=900, help="seconds before a step is abandoned")
    _add_planner_flags(sv)

    rt = sub.add_parser("realtime", help="talk to the avatar in the browser (voice in, voice and video out)")
    rt.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s; others need a token)")
    rt.add_argument("--port", type=int, default=7861, help="port (default: %(default)s)")
    rt.add_argument("--token", help="require this token on every route (env AUDIOGENT_TOKEN)")
    rt.add_argument("--avatar", help="an image or short video of one face (default: the built-in portrait)")
    rt.add_argument("--asr", choices=["whisper-tiny.en", "whisper-base"], default="whisper-tiny.en",
                    help="speech recogniser: tiny.en (English, fastest) or base (multilingual)")
    rt.add_argument("--language", default=None, help="what the user speaks, e.g. en, zh (default: en for "
                    "tiny.en, detected for base); replies are spoken by the English Piper voice")
    rt.add_argument("--max-sessions", type=int, default=4, help="concurrent conversations (default: %(default)s)")
    rt.add_argument("--end-of-turn-ms", type=int, default=400, help="silence that ends the user's turn")
    rt.add_argument("--no-tools", action="store_true",
                    help="chat only: do not run audio jobs asked for in the conversation through the agent tools")
    rt.add_argument("--workspace", type=Path,
                    help="where files made by those jobs go (default: <data home>/realtime, one folder per conversation)")
    rt.add_argument("--mark-frames", action="store_true",
                    help="mark voiced frames in a corner of the video (for latency and A/V measurements)")
    rt.add_argument("--llm-base-url", help="an OpenAI-compatible endpoint for the replies (default: embedded SmolLM2)")
    rt.add_argument("--llm-model", help="model name at that endpoint")
    rt.add_argument("--llm-api-key", help="API key (env AUDIOGENT_LLM_API_KEY or OPENAI_API_KEY)")
    rt.add_argument("--llm-timeout", type=float, help="seconds per LLM call (default 60)")

    s = sub.add_parser("sessions", help="list, show or delete sessions")
    ssub = s.add_subparsers(dest="action", required=True)
    ssub.add_parser("list", help="every session with its runs and size")
    sh = ssub.add_parser("show", help="runs and artifacts of a session")
    sh.add_argument("name", nargs="?", default="default")
    sh.add_argument("--json", action="store_true")
    cl = ssub.add_parser("clean", help="delete sessions and all their artifacts")
    cl.add_argument("names", nargs="*")
    cl.add_argument("--all", action="store_true")
    return parser


def _llm_overrides(args: argparse.Namespace) -> dict[str, Any]:
    o = {"base_url": args.llm_base_url, "model": args.llm_model, "api_key": args.llm_api_key,
         "timeout_s": args.llm_timeout}
    return {k: v for k, v in o.items() if v is not None}


def _fmt_args(a: dict[str, Any]) -> str:
    # References first: they show the data flow.
    a = dict(sorted(a.items(), key=lambda kv: not (isinstance(kv[1], str) and kv[1].startswith("@"))))
    return " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" if not (isinstance(v, str) and v.startswith("@"))
                    else f"{k}={v}" for k, v in a.items())


def print_plan(plan: Plan, planner: str) -> None:
    if plan.outcome != "steps":
        return
    print(f"Plan ({planner} planner):")
    for s in plan.steps:
        print(f"  {s.id:<4} {s.tool:<20} {_fmt_args(s.args)}")


def print_step(rec: StepRecord) -> None:
    mark = {"ok": "ok  ", "failed": "FAIL", "skipped": "skip"}[rec.status]
    line = f"  [{mark}] {rec.id:<4} {rec.tool:<20} {rec.seconds:6.2f} s"
    if rec.status == "ok":
        line += "  -> " + ", ".join(f"{k}: {v}" for k, v in rec.outputs.items())
    else:
        line += f"  {rec.error}"
    print(line, flush=True)


def cmd_tools(args: argparse.Namespace) -> int:
    from agent.registry import default_registry

    reg = default_registry()
    rows = []
    for t in reg.tools.values():
        rows.append({"name": t.name, "family": t.spec.family, "description": t.spec.description,
                     "inputs": {k: v.model_dump(exclude_none=True) for k, v in t.spec.inputs.items()},
                     "outputs": {k: v.type for k, v in t.spec.outputs.items()},
                     "backends": [{**b.model_dump(), "available": ok, "status": why}
                                  for b, (_, ok, why) in zip(t.spec.backends, t.backend_status())]})
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return EXIT_OK
    family = None
    for r in rows:
        if r["family"] != family:
            family = r["family"]
            print(f"\n{family}")
        print(f"  {r['name']:<20} {r['description']}")
        for b in r["backends"]:
            state = "available" if b["available"] else f"UNAVAILABLE: {b['status']}"
            print(f"      backend {b['name']:<16} {b['engine']}; weights: {b['weights']}; {b['licence']}; {state}")
    return EXIT_OK


def _agent(args: argparse.Namespace):
    from agent.core import Agent, make_planner

    planner = make_planner(args.planner, _llm_overrides(args))
    return Agent(Session.open(args.session), planner, max_upload_bytes=int(args.max_upload_mb * 1e6),
                 step_timeout=getattr(args, "step_timeout", 900))


def cmd_plan(args: argparse.Namespace) -> int:
    from agent.ingest import preview_inputs

    agent = _agent(args)
    uploads = preview_inputs(args.input, agent.max_upload_bytes)
    plan, _ = agent.plan(args.request, uploads)
    if args.json:
        print(json.dumps({"planner": agent.planner.name, "outcome": plan.outcome, "plan": plan.to_json()},
                         indent=1, ensure_ascii=False))
    else:
        print_plan(plan, agent.planner.name)
        if plan.outcome == "unsupported":
            print(f"Unsupported: {plan.unsupported}" + (f" (supported: {plan.instead})" if plan.instead else ""))
        elif plan.outcome == "clarify":
            print(f"Question: {plan.clarify}")
    return EXIT_OK


def _copy_outputs(result: Any, out_dir: Path) -> list[Path]:
    """Copy final artifacts to out_dir under readable names; never overwrite an existing file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    arts = result.session.manifest.artifacts
    for aid in result.run.final:
        rec = arts[aid]
        step = rec.source.split("/")[-1]
        stem = f"{result.run.id}-{step}-{rec.tool or rec.kind}"
        dest, n = out_dir / f"{stem}.{rec.format}", 1
        while dest.exists():
            n += 1
            dest = out_dir / f"{stem}-{n}.{rec.format}"
        shutil.copyfile(result.session.path(rec), dest)
        copied.append(dest)
    return copied


def cmd_run(args: argparse.Namespace) -> int:
    agent = _agent(args)
    human = not args.json
    result = agent.run(
        args.request, args.input,
        on_plan=(lambda plan: (print_plan(plan, agent.planner.name), print("Running:"))[0]
                 if plan.outcome == "steps" else None) if human else None,
        on_step=print_step if human else None,
    )
    copied = _copy_outputs(result, args.output_dir) if args.output_dir else []
    if args.json:
        out = result.to_json()
        out["copied"] = [str(p) for p in copied]
        print(json.dumps(out, indent=1, ensure_ascii=False))
    else:
        shown = [result.artifacts[a] for a in result.run.final if a in result.artifacts]
        if shown:
            print(f"Artifacts (all kept in {result.session.artifact_dir}):")
            for a in shown:
                print(f"  {a.id:<24} {result.session.path(a)}")
        for p in copied:
            print(f"  copied to {p}")
        print(f"\n{result.run.answer}")
    return EXIT_OK if result.status in ("ok", "unsupported", "clarify") else EXIT_STEP_FAILED


def cmd_eval(args: argparse.Namespace) -> int:
    from agent.core import make_planner
    from evals.run import run_eval

    return run_eval(args, make_planner(args.planner, _llm_overrides(args)))


def cmd_avatar(args: argparse.Namespace) -> int:
    from agent.ingest import kind_of
    from tools.thg.prepare import prepare_image, prepare_video

    if bool(args.source) == bool(args.default):
        raise BadInput("name a portrait photo or idle clip to prepare, or pass --default",
                       "audiogent avatar prepare face.jpg")
    if args.default:
        avatar = prepare_image(None, use_cache=not args.force)
    else:
        src = args.source.expanduser()
        if not src.is_file():
            raise BadInput(f"input file not found: {args.source}")
        kind = kind_of(src)
        if kind not in ("image", "video"):
            raise BadInput(f"{src.name} is neither an image nor a video", "pass a png/jpg portrait or an mp4 clip")
        prep = prepare_video if kind == "video" else prepare_image
        avatar = prep(src, src.name, use_cache=not args.force)
    info = avatar.summary()
    if args.json:
        print(json.dumps(info, indent=1, ensure_ascii=False))
        return EXIT_OK
    g = avatar.geometry
    fx, fy, fw, fh = (round(v) for v in g.face)
    mx, my, mw, _ = (round(v) for v in g.mouth)
    state = "already prepared" if avatar.from_cache else f"prepared in {avatar.prep_seconds:.2f} s"
    print(f"{avatar.source}: {state} ({avatar.kind}, {info['width']}x{info['height']}, {info['frames']} frame(s))")
    print(f"  face {fw}x{fh} at ({fx}, {fy}); mouth {2 * mw} px wide at ({mx}, {my}); "
          f"eyes {len(g.eyes)} ({g.found.get('eyes')})")
    print(f"cached in {avatar.cache_dir}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from server import serve
    from server.config import ServerConfig

    serve(ServerConfig.resolve(host=args.host, port=args.port, token=args.token,
                               max_upload_bytes=int(args.max_upload_mb * 1e6), step_timeout=args.step_timeout,
                               planner=args.planner, llm_overrides=_llm_overrides(args)))
    return EXIT_OK


def cmd_realtime(args: argparse.Namespace) -> int:
    from agent.llm import LLMConfig
    from realtime.app import RealtimeConfig, serve
    from realtime.models import ModelSettings
    from realtime.vad import VADSettings
    from server.config import ServerConfig

    configured = LLMConfig.from_env(**_llm_overrides(args))  # an endpoint from flags or the environment
    llm = configured if configured.is_configured else ModelSettings().llm
    language = args.language or ("en" if args.asr == "whisper-tiny.en" else None)
    if args.max_sessions < 1:
        raise BadInput("--max-sessions must be at least 1")
    serve(RealtimeConfig(
        server=ServerConfig.resolve(host=args.host, port=args.port, token=args.token),
        models=ModelSettings(asr=args.asr, language=language, avatar=args.avatar, llm=llm),
        vad=VADSettings(end_ms=args.end_of_turn_ms), max_sessions=args.max_sessions,
        mark_voiced_frames=args.mark_frames, tools=not args.no_tools, workspace=args.workspace))
    return EXIT_OK


def cmd_sessions(args: argparse.Namespace) -> int:
    if args.action == "list":
        paths = list_sessions()
        if not paths:
            print(f"no sessions yet in {sessions_dir()}")
        for p in paths:
            m = Session(p).manifest
            size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
            print(f"{p.name:<20} {len(m.runs):3d} runs {len(m.artifacts):4d} artifacts {size / 1e6:8.1f} MB  {p}")
        return EXIT_OK
    if args.action == "show":
        s = Session.open(args.name, create=False)
        m = s.manifest
        if args.json:
            print(m.model_dump_json(indent=1))
            return EXIT_OK
        print(f"session {s.name}: {s.root}")
        for run in m.runs:
            print(f"\n{run.id} [{run.status}] {run.request}")
            for st in run.steps:
                print(f"   {st.id:<6} {st.tool:<20} {st.status:<8} {' '.join(map(str, st.outputs.values()))}")
        print("\nartifacts:")
        for a in m.artifacts.values():
            origin = a.original_name or a.source
            print(f"  {a.id:<24} {a.kind:<6} {a.format:<5} {origin}")
        return EXIT_OK
    names = [p.name for p in list_sessions()] if args.all else args.names
    if not names:
        raise BadInput("name the sessions to delete, or pass --all")
    for n in names:
        s = Session.open(n, create=False)
        shutil.rmtree(s.root)
        print(f"deleted session {n}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    handlers = {"tools": cmd_tools, "plan": cmd_plan, "run": cmd_run, "sessions": cmd_sessions, "eval": cmd_eval,
                "avatar": cmd_avatar, "serve": cmd_serve, "realtime": cmd_realtime}
    try:
        return handlers[args.command](args)
    except AudiogentError as e:
        if getattr(args, "json", False):
            problems = e.problems if isinstance(e, PlanError) else [e.message]
            print(json.dumps({"status": "error", "error_type": type(e).__name__, "error": e.message,
                              "problems": problems, "hint": e.hint}, indent=1, ensure_ascii=False))
        _print_error(e)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted; everything finished so far is kept in the session", file=sys.stderr)
        return 130


def _print_error(e: AudiogentError) -> None:
    if isinstance(e, PlanError):
        print("error: the plan is invalid:\n  - " + "\n  - ".join(e.problems), file=sys.stderr)
    else:
        print(f"error: {e.message}", file=sys.stderr)
    if e.hint:
        print(f"hint: {e.hint}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
