"""Talking heads through the command line, as a user runs them: a photo speaks typed words or a recording."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.agent.test_cli import run_json
from tools.thg.video import probe

pytestmark = pytest.mark.slow


def _png(path: Path, rgb: np.ndarray) -> Path:
    import cv2

    cv2.imwrite(str(path), rgb[:, :, ::-1])
    return path


def _final(res: dict) -> dict:
    arts = {a["id"]: a for a in res["artifacts"]}
    return arts[res["final"][0]]


def test_make_this_photo_say_good_morning(isolated_home: Path, tmp_path: Path) -> None:
    from skimage import data

    png = _png(tmp_path / "astronaut.png", data.astronaut())
    res, _ = run_json("make this photo say: good morning", "-i", str(png), home=isolated_home)
    assert res["status"] == "ok", res
    assert [s["tool"] for s in res["steps"]] == ["text_to_speech", "talking_head"]
    assert res["plan"]["steps"][1]["args"] == {"audio": "@s1", "image": "@upload-1"}
    video = _final(res)
    assert video["kind"] == "video" and video["format"] == "mp4" and video["tool"] == "talking_head"
    info = probe(video["path"])
    assert (info["video_codec"], info["audio_codec"], info["fps"]) == ("h264", "aac", 25)
    assert abs(info["decoded_video_seconds"] - info["decoded_audio_seconds"]) < 0.04
    speech = next(a for a in res["artifacts"] if a["kind"] == "audio")
    assert info["video_frames"] == math.ceil(speech["meta"]["duration"] * 25)
    assert "mp4 video" in res["answer"] and "512x512" in res["answer"]


def test_animate_the_default_avatar_with_a_recording(isolated_home: Path, tmp_path: Path) -> None:
    speech, _ = run_json("say this is my recording", home=isolated_home)
    wav = next(a for a in speech["artifacts"] if a["kind"] == "audio")["path"]
    res, _ = run_json("animate the default avatar with this recording", "-i", wav, home=isolated_home)
    assert res["status"] == "ok" and [s["tool"] for s in res["steps"]] == ["talking_head"], res
    info = probe(_final(res)["path"])
    assert info["video_frames"] > 25 and (info["width"], info["height"]) == (512, 512)


def test_bad_images_give_clear_errors(isolated_home: Path, tmp_path: Path) -> None:
    from skimage import data

    fake = tmp_path / "portrait.png"
    fake.write_text("not a picture at all\n")
    res, proc = run_json("make this photo say: hello", "-i", str(fake), home=isolated_home, check=False)
    assert proc.returncode == 2 and res["status"] == "error"
    assert "portrait.png is not an image" in res["error"]

    no_face = _png(tmp_path / "coffee.png", data.coffee())
    res, proc = run_json("make this photo say: hello", "-i", str(no_face), home=isolated_home, check=False)
    assert proc.returncode == 1
    failed = next(s for s in res["steps"] if s["tool"] == "talking_head")
    assert failed["status"] == "failed" and failed["error"].startswith("no face found in")
    assert "frontal portrait" in failed["suggestion"]
