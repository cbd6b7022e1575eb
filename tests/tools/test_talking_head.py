"""talking_head: the portrait backend (face finding, rendering, mp4, lip-sync measured from the pixels),
the streaming core, avatar preparation, and errors on bad input."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from agent.errors import BadInput
from agent.media import Audio
from tools.talking_head import talking_head
from tools.thg.measure import av_sync, lagged_correlation, lipsync_score, mouth_opening, rms_envelope
from tools.thg.video import probe, read_frames

SPEECH = ("Good morning, and welcome to the audio agent. Today a photo learns to speak, "
          "with its jaw and lips moving in time with every word.")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Avatars are cached in a per-test folder (and not remembered across tests)."""
    from tools.thg import prepare

    cache = tmp_path / "cache"
    monkeypatch.setenv("AUDIOGENT_CACHE", str(cache))
    monkeypatch.setattr(prepare, "_memo", {})
    return cache


@pytest.fixture(scope="module")
def astronaut_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import cv2

    from tools.thg.face import default_image

    p = tmp_path_factory.mktemp("img") / "astronaut.png"
    cv2.imwrite(str(p), default_image())
    return p


def idle_clip(path: Path, frames: int = 40) -> Path:
    """A short 'idle video': the astronaut drifting a few pixels, as a camera would see her."""
    import av
    import cv2

    from tools.thg.face import default_image

    img = default_image()
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 512, 512, "yuv420p"
        for i in range(frames):
            m = np.array([[1, 0, 4 * math.sin(i / 6)], [0, 1, 2 * math.sin(i / 9)]], np.float32)
            f = cv2.warpAffine(img, m, (512, 512), borderMode=cv2.BORDER_REFLECT)
            for p in s.encode(av.VideoFrame.from_ndarray(f, format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


# ---------------------------------------------------------------------- the face
def test_the_face_eyes_and_mouth_are_found_on_the_astronaut() -> None:
    from tools.thg.face import default_image, find_geometry

    img = default_image()
    g = find_geometry(img)
    fx, fy, fw, fh = g.face
    assert 80 <= fw <= 110 and 80 <= fh <= 110  # a ~95x95 box in the 512x512 portrait
    assert 200 < fx + fw / 2 < 250 and 95 < fy + fh / 2 < 135
    assert g.found == {"face": "haar", "eyes": "haar", "mouth": "refined"}
    (lx, ly, _, _), (rx, ry, _, _) = g.eyes
    mx, my, mw, _ = g.mouth
    assert lx < mx < rx and abs(ly - ry) < 8 and max(ly, ry) < my - 0.3 * fh  # eyes level, above the mouth
    assert fy + 0.7 * fh < my < fy + fh and 0.3 * fw < 2 * mw < 0.6 * fw
    assert g.teeth_visible  # she smiles with her teeth showing
    assert g.chin_y > my


def test_an_image_without_a_face_is_refused(tmp_path: Path) -> None:
    import cv2
    from skimage import data

    p = tmp_path / "coffee.png"
    cv2.imwrite(str(p), data.coffee()[:, :, ::-1])
    with pytest.raises(BadInput, match="no face found in coffee.png"):
        talking_head(Audio(np.zeros(1600, np.float32), 16000), image=p)


def test_a_text_file_named_png_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "portrait.png"
    p.write_text("this is not a picture\n")
    with pytest.raises(BadInput, match="portrait.png is a text file, not an image"):
        talking_head(Audio(np.zeros(1600, np.float32), 16000), image=p)


def test_a_corrupt_image_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "broken.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(BadInput, match="broken.jpg is not an image"):
        talking_head(Audio(np.zeros(1600, np.float32), 16000), image=p)


# ---------------------------------------------------------------------- rendering
def _renderer():
    from tools.thg.prepare import prepare_image

    a = prepare_image(None)
    return a, a.renderer()


def test_opening_the_jaw_opens_a_dark_mouth_and_moves_only_the_face() -> None:
    from tools.thg.render import Pose

    avatar, r = _renderer()
    frames = [r.render(Pose(open=o)) for o in (0.0, 0.35, 0.7, 1.0)]
    dark = mouth_opening(frames)
    assert dark[0] < 30 and all(b > a + 20 for a, b in itertools.pairwise(dark)), dark
    g = avatar.geometry
    src = avatar.frames[0].astype(int)
    diff = np.abs(frames[-1].astype(int) - src).sum(axis=2)
    mx, my, mw, _ = g.mouth
    below = diff[int(my):int(g.chin_y + 0.2 * g.face_h), int(mx - mw):int(mx + mw)]
    assert below.mean() > 40  # the lower lip and chin moved down
    assert diff[: int(g.face[1]) - 5].max() == 0 and diff[:, : int(g.face[0] - g.face_w)].max() == 0
    assert diff[int(g.chin_y + 0.6 * g.face_h):].max() == 0  # the suit below the neck is untouched


def test_rounding_narrows_and_spreading_widens_the_mouth() -> None:
    from tools.thg.render import Pose

    avatar, r = _renderer()

    def width(pose: Pose) -> int:
        f = r.render(pose)
        mx, my, mw, _ = avatar.geometry.mouth
        band = f[int(my) + 2:int(my) + 5, int(mx - 1.5 * mw):int(mx + 1.5 * mw)].mean(axis=(0, 2))
        return int(np.count_nonzero(band < 90))

    neutral, rounded, spread = width(Pose(open=0.6)), width(Pose(open=0.6, round=1)), width(Pose(open=0.6, spread=1))
    assert rounded <= neutral - 3 and spread >= neutral + 3, (rounded, neutral, spread)


def test_a_blink_covers_the_iris() -> None:
    from tools.thg.render import Pose

    avatar, r = _renderer()

    def iris(f: np.ndarray) -> int:
        n = 0
        for cx, cy, hw, hh in avatar.geometry.eyes:
            box = f[int(cy - hh):int(cy + hh) + 1, int(cx - hw):int(cx + hw) + 1].mean(axis=2)
            n += int(np.count_nonzero(box < 80))
        return n

    open_eyes, half, closed = (iris(r.render(Pose(blink=b))) for b in (0.0, 0.5, 1.0))
    assert open_eyes > 30 and closed < 0.3 * open_eyes and closed < half < open_eyes, (open_eyes, half, closed)


def test_silence_keeps_the_mouth_shut_but_the_face_alive() -> None:
    from tools.thg.prepare import prepare_image
    from tools.thg.stream import frames_for

    frames = list(frames_for(prepare_image(None), Audio(np.zeros(16000 * 8, np.float32), 16000)))
    assert len(frames) == 200
    assert max(f.pose.open for f in frames) < 0.01
    assert sum(f.pose.blink > 0.9 for f in frames) >= 2  # blinks every 2-6 s
    moved = [np.abs(a.video.astype(int) - b.video.astype(int)).max() for a, b in zip(frames[::25], frames[12::25])]
    assert min(moved) > 0  # never frozen: sway and breathing
    dark = mouth_opening([f.video for f in frames])
    assert dark.max() - dark.min() < 25


# ---------------------------------------------------------------------- the mp4
def test_mp4_is_h264_aac_25fps_with_equal_durations(piper_speech, astronaut_png: Path, tmp_path: Path) -> None:
    from tools.base import ToolContext

    speech = piper_speech(SPEECH)
    out = talking_head(speech, image=astronaut_png, ctx=ToolContext("s1", tmp_path / "scratch"))
    assert out.path.parent == tmp_path / "scratch" and out.path.suffix == ".mp4"
    info = probe(out.path)
    assert (info["video_codec"], info["audio_codec"]) == ("h264", "aac")
    assert info["fps"] == 25 and (info["width"], info["height"]) == (512, 512)
    assert info["video_frames"] == math.ceil(speech.duration * 25) == out.meta["frames"]
    assert abs(info["video_duration"] - info["audio_duration"]) < 0.04
    assert abs(info["decoded_video_seconds"] - info["decoded_audio_seconds"]) < 0.04
    assert abs(info["decoded_video_seconds"] - speech.duration) < 0.04
    assert out.meta["backend"] == "portrait" and out.meta["avatar"] == "astronaut.png"


def test_mouth_opening_follows_the_speech(piper_speech, tmp_path: Path) -> None:
    speech = piper_speech(SPEECH)
    out = talking_head(speech)  # the default avatar
    corr, lag = lipsync_score(out.path, speech)
    assert corr > 0.5 and abs(lag) <= 1, (corr, lag)
    # the same mouth against another sentence's envelope does not correlate: the score is about this speech
    other = piper_speech("Please send the report to the office before noon on Friday, and call me after lunch.")
    frames = read_frames(out.path)
    opening = mouth_opening(frames)
    wrong = rms_envelope(other.mono(), other.sample_rate, len(frames))
    assert max(lagged_correlation(opening, wrong).values()) < 0.35


def test_an_idle_clip_loops_under_the_speaking_mouth(piper_speech, tmp_path: Path) -> None:
    clip = idle_clip(tmp_path / "idle.mp4")
    speech = piper_speech(SPEECH)
    out = talking_head(speech, video=clip)
    assert out.meta["frames"] == math.ceil(speech.duration * 25) > 40  # longer than the clip: it loops
    corr, lag = lipsync_score(out.path, speech)
    assert corr > 0.5 and abs(lag) <= 1, (corr, lag)
    assert av_sync(out.path)["max_difference"] < 0.04


@pytest.mark.slow
def test_the_capability_eval_reports_lipsync_and_av_sync() -> None:
    from evals.capability import CHECKS, select_checks

    assert [c.name for c in select_checks(["talking_head"])] == ["talking_head"]
    rows = {r.metric: r for r in CHECKS["talking_head"].func()}
    assert rows["lip-sync correlation"].value > 0.5 and abs(rows["lip-sync lag"].value) <= 1
    assert rows["A/V duration difference"].value < 40 and rows["A/V duration difference"].unit == "ms"


def test_an_image_and_a_video_together_are_refused(astronaut_png: Path, tmp_path: Path) -> None:
    from agent.errors import InvalidArguments

    with pytest.raises(InvalidArguments, match="not both"):
        talking_head(Audio(np.zeros(1600, np.float32), 16000), image=astronaut_png, video=tmp_path / "x.mp4")


# ---------------------------------------------------------------------- streaming
def _stream(rate: int = 16000):
    from tools.thg.prepare import prepare_image
    from tools.thg.stream import AvatarStream

    return AvatarStream(prepare_image(None), sample_rate=rate)


def test_stream_pairs_each_frame_with_exactly_40_ms_of_audio(piper_speech) -> None:
    from agent.media import adapt
    from tools.thg.stream import EndOfSegment

    speech = adapt(piper_speech("Hello there, how are you today?"), sample_rate=16000, channels=1)
    x = speech.samples[:, 0]
    s = _stream()
    got = []
    for i in range(0, len(x), 333):  # pushed in odd-sized pieces, taken as they become ready
        s.push_audio(Audio(x[i:i + 333], 16000))
        got += list(s)
    s.push_audio(EndOfSegment())
    got += list(s)
    assert len(got) == math.ceil(len(x) / 640)
    assert all(f.audio.frames == 640 and f.audio.sample_rate == 16000 for f in got)
    assert [f.timestamp for f in got] == pytest.approx([i * 0.04 for i in range(len(got))])
    assert np.array_equal(np.concatenate([f.audio.samples[:, 0] for f in got])[: len(x)], x)
    assert got[-1].segment_end and not any(f.segment_end for f in got[:-1])
    video, audio, ts = got[3]  # unpacks as (frame, audio, timestamp)
    assert video.shape == (512, 512, 3) and audio is got[3].audio and ts == pytest.approx(0.12)


def test_stream_and_file_render_the_same_parameters(piper_speech) -> None:
    from agent.media import adapt
    from tools.thg.prepare import prepare_image
    from tools.thg.stream import EndOfSegment, frames_for

    speech = adapt(piper_speech("Hello there, how are you today?"), sample_rate=16000, channels=1)
    offline = [f.pose for f in frames_for(prepare_image(None), speech)]
    s = _stream()
    live = []
    for i in range(0, speech.frames, 1000):
        s.push_audio(speech.samples[i:i + 1000, 0])
        live += [f.pose for f in s]
    s.push_audio(EndOfSegment())
    live += [f.pose for f in s]
    assert live == offline


def test_clear_buffer_drops_queued_frames_and_time_runs_on() -> None:
    from tools.thg.stream import EndOfSegment

    s = _stream()
    rng = np.random.default_rng(0)
    s.push_audio(Audio((0.2 * rng.standard_normal(32000)).astype(np.float32), 16000))  # 2 s = 50 frames
    first = [s.next_frame() for _ in range(5)]
    assert s.queued_frames == 45
    s.clear_buffer()
    assert s.queued_frames == 0 and list(s) == []
    s.push_audio(Audio(np.zeros(1000, np.float32), 16000))
    s.push_audio(EndOfSegment())
    after = list(s)
    assert len(after) == 2 and after[-1].segment_end  # 1000 samples: one whole frame and one padded
    stamps = [f.timestamp for f in first + after]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps) and after[0].timestamp == pytest.approx(0.2)


def test_async_iteration_waits_for_audio_and_fills_idle_time() -> None:
    from tools.thg.prepare import prepare_image
    from tools.thg.stream import AvatarStream

    async def run() -> list:
        s = AvatarStream(prepare_image(None), sample_rate=16000, idle_fill=True)
        out = []

        async def feed() -> None:
            await asyncio.sleep(0.15)
            s.push_audio(np.full(1280, 0.1, np.float32))  # two frames of "speech"
            await asyncio.sleep(0.15)
            s.close()

        task = asyncio.create_task(feed())
        async for f in s:
            out.append(f)
        await task
        return out

    frames = asyncio.run(run())
    spoken = [f for f in frames if f.speaking]
    assert len(spoken) == 2 and len(frames) > 2  # idle frames before the speech arrived
    assert all(f.audio.frames == 640 for f in frames)
    assert all(not f.audio.samples.any() for f in frames if not f.speaking)
    assert [f.index for f in frames] == list(range(len(frames)))


# ---------------------------------------------------------------------- preparation
def test_prepare_caches_once_and_reuses(own_cache: Path, astronaut_png: Path) -> None:
    from tools.thg import prepare

    first = prepare.prepare_image(astronaut_png)
    d = own_cache / "avatars" / first.key
    assert first.cache_dir == d and not first.from_cache
    assert {p.name for p in d.iterdir()} == {"avatar.json", "fields.npz", "frame.png"}
    meta = json.loads((d / "avatar.json").read_text())
    assert meta["kind"] == "image" and meta["source"] == "astronaut.png" and meta["width"] == 512
    prepare._memo.clear()
    again = prepare.prepare_image(astronaut_png)
    assert again.from_cache and again.geometry == first.geometry
    assert np.array_equal(again.frames[0], first.frames[0])
    assert all(np.array_equal(again.fields[k], first.fields[k]) for k in first.fields)


def test_cli_avatar_prepare(own_cache: Path, astronaut_png: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli import main

    assert main(["avatar", "prepare", "--default"]) == 0
    out = capsys.readouterr().out
    cached = Path(out.strip().splitlines()[-1].removeprefix("cached in "))
    assert cached.parent == own_cache / "avatars" and (cached / "avatar.json").is_file()
    assert "prepared in" in out and "face 9" in out
    assert main(["avatar", "prepare", "--default"]) == 0
    assert "already prepared" in capsys.readouterr().out
    assert main(["avatar", "prepare", str(astronaut_png), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "image" and Path(info["cache"]).parent == own_cache / "avatars"
    assert main(["avatar", "prepare"]) == 2
    assert "--default" in capsys.readouterr().err
