"""The neural talking-head backends: the Wav2Lip generator (architecture, checkpoint format, audio features,
the full inference path on a random checkpoint built here) and the clear errors of the pending ones."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from agent.errors import BackendUnavailable
from tools.thg import wav2lip as W


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tools.thg import prepare

    cache = tmp_path / "cache"
    monkeypatch.setenv("AUDIOGENT_CACHE", str(cache))
    monkeypatch.setattr(prepare, "_memo", {})
    for var in ("AUDIOGENT_WAV2LIP_CHECKPOINT", "AUDIOGENT_GENEFACE_DIR", "AUDIOGENT_SADTALKER_DIR",
                "AUDIOGENT_MUSETALK_DIR"):
        monkeypatch.delenv(var, raising=False)
    return cache


# ---------------------------------------------------------------------- the network
def test_generator_has_the_published_layout() -> None:
    sd = W.Wav2Lip().state_dict()
    shapes = {k: tuple(v.shape) for k, v in sd.items()}
    expected = {
        "face_encoder_blocks.0.0.conv_block.0.weight": (16, 6, 7, 7),
        "face_encoder_blocks.2.3.conv_block.1.running_var": (64,),
        "face_encoder_blocks.6.1.conv_block.0.weight": (512, 512, 1, 1),
        "audio_encoder.0.conv_block.0.weight": (32, 1, 3, 3),
        "audio_encoder.3.conv_block.0.weight": (64, 32, 3, 3),
        "audio_encoder.12.conv_block.0.weight": (512, 512, 1, 1),
        "face_decoder_blocks.1.0.conv_block.0.weight": (1024, 512, 3, 3),  # ConvTranspose2d: (in, out, k, k)
        "face_decoder_blocks.3.0.conv_block.0.weight": (768, 384, 3, 3),
        "face_decoder_blocks.6.2.conv_block.0.weight": (64, 64, 3, 3),
        "output_block.0.conv_block.0.weight": (32, 80, 3, 3),
        "output_block.1.weight": (3, 32, 1, 1),
    }
    assert {k: shapes[k] for k in expected} == expected
    assert "audio_encoder.13.conv_block.0.weight" not in shapes and "face_decoder_blocks.7.0.act" not in shapes
    assert sum(v.numel() for k, v in sd.items() if "running" not in k and "num_batches" not in k) == 36_298_035


def test_generator_maps_mel_windows_and_faces_to_faces() -> None:
    torch.manual_seed(0)
    m = W.Wav2Lip(base=2).eval()
    with torch.no_grad():
        y = m(torch.randn(3, 1, 80, 16), torch.rand(3, 6, 96, 96))
        y5 = m(torch.randn(2, 4, 1, 80, 16), torch.rand(2, 6, 4, 96, 96))  # the training layout (B, T, ...)
    assert y.shape == (3, 3, 96, 96) and float(y.min()) >= 0 and float(y.max()) <= 1
    assert y5.shape == (2, 3, 4, 96, 96)


def test_checkpoint_round_trip_in_the_authors_format(tmp_path: Path) -> None:
    torch.manual_seed(1)
    m = W.Wav2Lip(base=4).eval()
    p = tmp_path / "w.pth"
    W.save_checkpoint(m, p)
    raw = torch.load(p, weights_only=True)
    assert set(raw) >= {"state_dict", "global_step"} and all(k.startswith("module.") for k in raw["state_dict"])
    loaded = W.load_model(p)
    assert loaded.base == 4
    x = (torch.randn(2, 1, 80, 16), torch.rand(2, 6, 96, 96))
    with torch.no_grad():
        assert torch.equal(m(*x), loaded(*x))
    with pytest.raises(ValueError, match="not a Wav2Lip generator"):
        torch.save({"state_dict": {"module.conv.weight": torch.zeros(1)}}, tmp_path / "other.pth")
        W.load_model(tmp_path / "other.pth")


@pytest.mark.slow
def test_a_full_size_checkpoint_loads(tmp_path: Path) -> None:
    torch.manual_seed(2)
    m = W.Wav2Lip().eval()
    p = tmp_path / "wav2lip_gan.pth"
    W.save_checkpoint(m, p)
    assert p.stat().st_size > 140e6
    loaded = W.load_model(p)
    x = (torch.randn(1, 1, 80, 16), torch.rand(1, 6, 96, 96))
    with torch.no_grad():
        assert loaded.base == 16 and torch.equal(m(*x), loaded(*x))


# ---------------------------------------------------------------------- audio features
def test_mel_features_have_the_authors_shape_and_scale() -> None:
    t = np.arange(16000) / 16000
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    mel = W.melspectrogram(tone)
    assert mel.shape == (80, 81)  # 80 mel frames per second, centred windows
    assert mel.min() >= -4 and mel.max() <= 4
    centres = W._mel_to_hz(np.linspace(W._hz_to_mel(np.array(55.0)), W._hz_to_mel(np.array(7600.0)), 82))[1:-1]
    peak = int(np.argmax(mel[:, 40]))
    assert abs(centres[peak] - 1000) < 60
    silence = W.melspectrogram(np.zeros(16000, np.float32))
    assert np.allclose(silence, -4.0)  # below the -100 dB floor
    basis = W.mel_basis()
    assert basis.shape == (80, 401) and (basis >= 0).all()


def test_each_video_frame_sees_16_mel_frames_from_its_time() -> None:
    mel = np.arange(80 * 100, dtype=np.float32).reshape(80, 100) % 100
    chunks = W.mel_chunks(mel, 30)
    assert chunks.shape == (30, 80, 16)
    assert chunks[0, 0, 0] == 0 and chunks[5, 0, 0] == 16 and chunks[10, 0, 0] == 32  # int(80 * i / 25)
    assert chunks[29, 0, 0] == 84  # the last window is clamped to the end


# ---------------------------------------------------------------------- the backend, end to end
def test_wav2lip_tiny_checkpoint_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piper_speech) -> None:
    from tools.talking_head import talking_head
    from tools.thg.face import default_image
    from tools.thg.measure import av_sync
    from tools.thg.neural import Wav2LipBackend
    from tools.thg.video import probe, read_frames

    backend = Wav2LipBackend()
    ok, why = backend.available()
    assert not ok and f"needs weights at {backend.checkpoint()}" in why and "docs/talking-heads.md" in why
    torch.manual_seed(0)
    ckpt = tmp_path / "wav2lip-tiny.pth"
    W.save_checkpoint(W.Wav2Lip(base=2), ckpt)
    monkeypatch.setenv("AUDIOGENT_WAV2LIP_CHECKPOINT", str(ckpt))
    monkeypatch.setenv("AUDIOGENT_WAV2LIP_DEVICE", "cpu")
    assert backend.available() == (True, "ready")
    speech = piper_speech("Testing the Wav2Lip path from end to end.")
    out = talking_head(speech, backend=backend.ensure_loaded())
    info = probe(out.path)
    assert out.meta["backend"] == "wav2lip" and (info["video_codec"], info["audio_codec"]) == ("h264", "aac")
    assert info["video_frames"] == math.ceil(speech.duration * 25) and info["fps"] == 25
    assert av_sync(out.path)["max_difference"] < 0.04
    # the generator's 96x96 output was pasted over the face box; the far background is untouched
    frame = read_frames(out.path)[5].astype(int)
    src = default_image().astype(int)
    x0, y0, x1, y1 = backend.runner().crop_box((177, 67, 93, 93), (512, 512))
    assert np.abs(frame[y0 + 5:y1 - 5, x0 + 5:x1 - 5] - src[y0 + 5:y1 - 5, x0 + 5:x1 - 5]).mean() > 30
    assert np.abs(frame[:40, :40] - src[:40, :40]).mean() < 4  # H.264 noise only


def test_a_file_that_is_not_a_checkpoint_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.thg.neural import Wav2LipBackend

    bad = tmp_path / "wav2lip.pth"
    bad.write_bytes(b"not a torch file")
    monkeypatch.setenv("AUDIOGENT_WAV2LIP_CHECKPOINT", str(bad))
    with pytest.raises(BackendUnavailable, match="cannot load .*wav2lip.pth"):
        Wav2LipBackend().ensure_loaded()


@pytest.mark.parametrize("name, gpu", [("geneface", True), ("sadtalker", False), ("musetalk", True)])
def test_pending_backends_say_what_they_need(name: str, gpu: bool, registry, tmp_path: Path, own_cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.thg import neural

    monkeypatch.setattr(neural, "has_cuda", lambda: False)
    tool = registry["talking_head"]
    with pytest.raises(BackendUnavailable) as e:
        tool.pick_backend(name)
    msg = str(e.value)
    assert f"backend `{name}` needs weights at {own_cache / 'weights' / name}" in msg
    assert "see docs/talking-heads.md" in msg and ("GPU" in msg) == gpu
    weights = tmp_path / f"{name}-weights"
    weights.mkdir()
    (weights / "model.ckpt").write_bytes(b"x")
    monkeypatch.setenv(f"AUDIOGENT_{name.upper()}_DIR", str(weights))
    with pytest.raises(BackendUnavailable, match="needs a GPU" if gpu else "not implemented yet"):
        tool.pick_backend(name)
    monkeypatch.setattr(neural, "has_cuda", lambda: True)
    with pytest.raises(BackendUnavailable, match=f"found weights at {weights}, but its adapter is not implemented"):
        tool.pick_backend(name)
    assert tool.pick_backend().name == "portrait"  # the default never lands on them
