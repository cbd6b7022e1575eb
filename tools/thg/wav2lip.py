"""Wav2Lip (Prajwal et al., "A Lip Sync Expert Is All You Need", ACM MM 2020) in PyTorch: the published
generator, its audio features, and the inference path (face crops -> batches -> generator -> paste back).

The module tree mirrors the authors' `models/wav2lip.py`, so the state_dict keys of their checkpoints
(`wav2lip.pth`, `wav2lip_gan.pth`: {"state_dict": ..., saved from DataParallel with a "module." prefix})
load as they are: face_encoder_blocks.{0-6}, audio_encoder.{0-12}, face_decoder_blocks.{0-6},
output_block.{0,1}, each conv as `<block>.conv_block.0` (Conv2d/ConvTranspose2d) + `.conv_block.1`
(BatchNorm2d). `base` scales every width (16 = the published network); a smaller base builds the same
architecture narrower, which the tests use for a quick random checkpoint.

Audio features follow the authors' hparams: 16 kHz, pre-emphasis 0.97, STFT n_fft=800 hop=200 (80 mel
frames per second), 80 Slaney mel bands 55-7600 Hz, dB with ref 20 and floor -100, scaled to [-4, 4];
each video frame i sees the 16 mel frames from int(80 * i / fps).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from agent.media import Audio, adapt
from tools.thg import FPS

SAMPLE_RATE, N_FFT, HOP, N_MELS, FMIN, FMAX = 16000, 800, 200, 80, 55.0, 7600.0
MEL_STEP = 16
FACE = 96


class Conv2d(nn.Module):
    def __init__(self, cin: int, cout: int, kernel_size: Any, stride: Any, padding: Any,
                 residual: bool = False) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(nn.Conv2d(cin, cout, kernel_size, stride, padding), nn.BatchNorm2d(cout))
        self.act = nn.ReLU()
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_block(x)
        if self.residual:
            out = out + x
        return self.act(out)


class Conv2dTranspose(nn.Module):
    def __init__(self, cin: int, cout: int, kernel_size: int, stride: int, padding: int,
                 output_padding: int = 0) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(nn.ConvTranspose2d(cin, cout, kernel_size, stride, padding, output_padding),
                                        nn.BatchNorm2d(cout))
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv_block(x))


def _res(c: int, n: int) -> list[nn.Module]:
    return [Conv2d(c, c, 3, 1, 1, residual=True) for _ in range(n)]


class Wav2Lip(nn.Module):
    def __init__(self, base: int = 16) -> None:
        super().__init__()
        c = base
        self.base = base
        self.face_encoder_blocks = nn.ModuleList([
            nn.Sequential(Conv2d(6, c, 7, 1, 3)),  # 96
            nn.Sequential(Conv2d(c, 2 * c, 3, 2, 1), *_res(2 * c, 2)),  # 48
            nn.Sequential(Conv2d(2 * c, 4 * c, 3, 2, 1), *_res(4 * c, 3)),  # 24
            nn.Sequential(Conv2d(4 * c, 8 * c, 3, 2, 1), *_res(8 * c, 2)),  # 12
            nn.Sequential(Conv2d(8 * c, 16 * c, 3, 2, 1), *_res(16 * c, 2)),  # 6
            nn.Sequential(Conv2d(16 * c, 32 * c, 3, 2, 1), *_res(32 * c, 1)),  # 3
            nn.Sequential(Conv2d(32 * c, 32 * c, 3, 1, 0), Conv2d(32 * c, 32 * c, 1, 1, 0)),  # 1
        ])
        self.audio_encoder = nn.Sequential(
            Conv2d(1, 2 * c, 3, 1, 1), *_res(2 * c, 2),
            Conv2d(2 * c, 4 * c, 3, (3, 1), 1), *_res(4 * c, 2),
            Conv2d(4 * c, 8 * c, 3, 3, 1), *_res(8 * c, 2),
            Conv2d(8 * c, 16 * c, 3, (3, 2), 1), *_res(16 * c, 1),
            Conv2d(16 * c, 32 * c, 3, 1, 0),
            Conv2d(32 * c, 32 * c, 1, 1, 0),
        )
        self.face_decoder_blocks = nn.ModuleList([
            nn.Sequential(Conv2d(32 * c, 32 * c, 1, 1, 0)),
            nn.Sequential(Conv2dTranspose(64 * c, 32 * c, 3, 1, 0), *_res(32 * c, 1)),  # 3
            nn.Sequential(Conv2dTranspose(64 * c, 32 * c, 3, 2, 1, 1), *_res(32 * c, 2)),  # 6
            nn.Sequential(Conv2dTranspose(48 * c, 24 * c, 3, 2, 1, 1), *_res(24 * c, 2)),  # 12
            nn.Sequential(Conv2dTranspose(32 * c, 16 * c, 3, 2, 1, 1), *_res(16 * c, 2)),  # 24
            nn.Sequential(Conv2dTranspose(20 * c, 8 * c, 3, 2, 1, 1), *_res(8 * c, 2)),  # 48
            nn.Sequential(Conv2dTranspose(10 * c, 4 * c, 3, 2, 1, 1), *_res(4 * c, 2)),  # 96
        ])
        self.output_block = nn.Sequential(Conv2d(5 * c, 2 * c, 3, 1, 1), nn.Conv2d(2 * c, 3, 1, 1, 0), nn.Sigmoid())

    def forward(self, audio_sequences: torch.Tensor, face_sequences: torch.Tensor) -> torch.Tensor:
        """audio (B, 1, 80, 16), faces (B, 6, 96, 96) in [0, 1] -> faces (B, 3, 96, 96).
        5-D inputs (B, T, 1, 80, 16) / (B, 6, T, 96, 96) are flattened over T as in the original."""
        b = audio_sequences.size(0)
        five = face_sequences.dim() > 4
        if five:
            audio_sequences = torch.cat([audio_sequences[:, i] for i in range(audio_sequences.size(1))], dim=0)
            face_sequences = torch.cat([face_sequences[:, :, i] for i in range(face_sequences.size(2))], dim=0)
        x = self.audio_encoder(audio_sequences)
        feats = []
        f = face_sequences
        for block in self.face_encoder_blocks:
            f = block(f)
            feats.append(f)
        for block in self.face_decoder_blocks:
            x = block(x)
            x = torch.cat((x, feats.pop()), dim=1)
        x = self.output_block(x)
        if five:
            return torch.stack(torch.split(x, b, dim=0), dim=2)
        return x


# ---------------------------------------------------------------------- checkpoints
def load_state_dict(path: str | Path, device: str = "cpu") -> dict[str, torch.Tensor]:
    """The generator's weights from a Wav2Lip checkpoint (a dict with "state_dict", or a bare state_dict),
    with DataParallel's "module." prefix removed. Only tensors are unpickled (weights_only)."""
    ckpt = torch.load(str(path), map_location=device, weights_only=True)
    sd = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(sd, dict) or not sd:
        raise ValueError(f"{path} holds no state_dict")
    return {(k.removeprefix("module.")): v for k, v in sd.items()}


def load_model(path: str | Path, device: str = "cpu") -> Wav2Lip:
    sd = load_state_dict(path, device)
    key = "face_encoder_blocks.0.0.conv_block.0.weight"
    if key not in sd:
        raise ValueError(f"{path} is not a Wav2Lip generator checkpoint (no {key}); "
                         "SyncNet discriminator checkpoints (lipsync_expert.pth) cannot drive lips")
    model = Wav2Lip(base=int(sd[key].shape[0]))
    model.load_state_dict(sd, strict=True)
    return model.to(device).eval()


def save_checkpoint(model: Wav2Lip, path: str | Path, data_parallel: bool = True) -> None:
    """Save as the authors' training script does ({"state_dict": ..., "global_step": ...})."""
    sd = {("module." + k if data_parallel else k): v for k, v in model.state_dict().items()}
    torch.save({"state_dict": sd, "optimizer": None, "global_step": 0, "global_epoch": 0}, str(path))


# ---------------------------------------------------------------------- audio features
def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp((m - 15.0) * (math.log(6.4) / 27.0)), m * (200.0 / 3))


def mel_basis() -> np.ndarray:
    """(80, 401) Slaney-style triangular filters with Slaney area normalisation (librosa's default)."""
    fft_f = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array(FMIN)), _hz_to_mel(np.array(FMAX)), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_f[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    w = np.maximum(0.0, np.minimum(lower, upper))
    return w * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]


def melspectrogram(wav: np.ndarray) -> np.ndarray:
    """(80, frames) normalised log-mel of 16 kHz mono audio, as the authors' audio.melspectrogram."""
    from scipy.signal import lfilter

    y = lfilter([1.0, -0.97], [1.0], np.asarray(wav, np.float64))
    y = np.pad(y, N_FFT // 2, mode="reflect" if len(y) > N_FFT // 2 else "constant")
    n = 1 + (len(y) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    mag = np.abs(np.fft.rfft(y[idx] * window, axis=1)).T
    s = 20 * np.log10(np.maximum(1e-5, mel_basis() @ mag)) - 20.0
    return np.clip(8.0 * ((s + 100.0) / 100.0) - 4.0, -4.0, 4.0).astype(np.float32)


def mel_chunks(mel: np.ndarray, n_frames: int, fps: int = FPS) -> np.ndarray:
    """(n_frames, 80, 16): the 16 mel frames each video frame sees (the last window repeats at the end)."""
    out = np.empty((n_frames, N_MELS, MEL_STEP), np.float32)
    t = mel.shape[1]
    if t < MEL_STEP:
        mel = np.pad(mel, ((0, 0), (0, MEL_STEP - t)), constant_values=-4.0)
        t = MEL_STEP
    for i in range(n_frames):
        s = int(80.0 * i / fps)
        out[i] = mel[:, s:s + MEL_STEP] if s + MEL_STEP <= t else mel[:, t - MEL_STEP:]
    return out


# ---------------------------------------------------------------------- inference
class Wav2LipRunner:
    """Lip-syncs an avatar's frames to speech with a loaded generator."""

    def __init__(self, checkpoint: str | Path, device: str = "cpu", batch_size: int = 64) -> None:
        self.checkpoint = Path(checkpoint)
        self.device = device
        self.batch_size = batch_size
        self.model = load_model(self.checkpoint, device)

    def crop_box(self, face: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The authors' crop: the detector's box with 10 px more below the chin (scaled to the face)."""
        x, y, w, h = face
        pad = 10.0 * h / 96.0
        return (max(0, int(x)), max(0, int(y)), min(size[0], int(x + w)), min(size[1], int(y + h + pad)))

    def frames(self, avatar: Any, audio: Audio, out_rate: int, seed: int = 0) -> Iterator[Any]:
        """AvatarFrames: the avatar's idle frames (blinks, sway) with the mouth region from the generator."""
        import cv2

        from tools.thg.motion import MotionTracker
        from tools.thg.stream import AvatarFrame

        out = adapt(audio, sample_rate=out_rate, channels=1).samples[:, 0]
        spf = out_rate // FPS
        n = max(1, -(-len(out) // spf))
        out = np.concatenate([out, np.zeros(n * spf - len(out), np.float32)])
        mels = mel_chunks(melspectrogram(adapt(audio, sample_rate=SAMPLE_RATE, channels=1).samples[:, 0]), n)
        renderer = avatar.renderer()
        idle = MotionTracker(out_rate, FPS, seed, idle=True, head_motion=avatar.kind == "image")
        silent = np.zeros(spf, np.float32)
        for start in range(0, n, self.batch_size):
            idx = range(start, min(n, start + self.batch_size))
            bases, boxes, poses = [], [], []
            for i in idx:
                pose = idle.step(silent)  # idle motion only: the generator makes the mouth
                frame = renderer.render(pose, i)
                fw = avatar.geometry.face_w
                _, odx, ody = renderer.base(i)
                fx, fy, w, h = avatar.geometry.face
                box = self.crop_box((fx + odx + pose.tx * fw, fy + ody + pose.ty * fw, w, h), avatar.size)
                bases.append(frame)
                boxes.append(box)
                poses.append(pose)
            faces = np.stack([cv2.resize(f[y0:y1, x0:x1], (FACE, FACE)) for f, (x0, y0, x1, y1) in zip(bases, boxes)])
            masked = faces.copy()
            masked[:, FACE // 2:] = 0
            img = np.concatenate([masked, faces], axis=3).astype(np.float32) / 255.0
            img_t = torch.from_numpy(img).permute(0, 3, 1, 2).to(self.device)
            mel_t = torch.from_numpy(mels[start:start + len(idx)][:, None]).to(self.device)
            with torch.no_grad():
                pred = self.model(mel_t, img_t).permute(0, 2, 3, 1).cpu().numpy() * 255.0
            for k, i in enumerate(idx):
                x0, y0, x1, y1 = boxes[k]
                frame = bases[k]
                frame[y0:y1, x0:x1] = cv2.resize(pred[k].astype(np.uint8), (x1 - x0, y1 - y0))
                chunk = out[i * spf:(i + 1) * spf]
                yield AvatarFrame(frame, Audio(chunk.copy(), out_rate), i / FPS, i, poses[k])
