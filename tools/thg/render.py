"""One video frame from a prepared avatar and a pose.

Everything moves by one `cv2.remap` of the head region: the map is an identity grid plus a weighted sum
of displacement fields precomputed at preparation (head sway/tilt/breathing under a soft head mask;
the jaw dropping the lower lip, chin and lower face while the neck takes up the stretch; the upper lip
rising; the lips narrowing (rounding) or widening (spreading)), plus per-frame eyelid maps for blinks.
Then the mouth opening the jaw made is filled with a mouth interior (a dark cavity, a hint of teeth
and tongue) drawn in output space with anti-aliased edges, and the lid line is shaded during a blink.

Maps are "where each output pixel samples the source" (map = grid + D); a field that moves content by
v uses D = -v (exact for the piecewise-constant jaw step, a first-order inverse for the smooth fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tools.thg.face import FaceGeometry

# Amplitudes, as fractions of the face box (w, h) or the mouth half width (mw).
JAW_MAX = 0.095  # h: the lower lip's drop at full opening
UPPER_LIP = 0.16  # of the jaw drop: the upper lip's rise
ROUND_NARROW = 0.26  # mw: how far the corners move in at full rounding
SPREAD_WIDEN = 0.14  # mw: how far they move out at full spreading
CORNER_LIFT = 0.05  # mw
INNER = 0.84  # the lips part over this fraction of the mouth's width
LENS_P = 0.6  # shape of the opening: (1 - x^2)^p across the mouth


def lens_profile(dxn: np.ndarray) -> np.ndarray:
    """How far the lips part across the mouth: 1 in the middle, 0 at the inner corners."""
    return np.clip(1.0 - dxn * dxn, 0.0, 1.0) ** LENS_P


def smoothstep(e0: float, e1: float, x: Any) -> Any:
    """0 below e0, 1 above e1, a smooth cubic between (arrays or scalars)."""
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


@dataclass
class Pose:
    """One frame's parameters. Mouth: 0..1. Head: tx/ty in face widths, rot in radians, scale relative."""

    open: float = 0.0
    round: float = 0.0
    spread: float = 0.0
    blink: float = 0.0
    tx: float = 0.0
    ty: float = 0.0
    rot: float = 0.0
    scale: float = 0.0


def _slices(box: tuple[int, int, int, int], roi: tuple[int, int, int, int]) -> tuple[slice, slice]:
    x0, y0, x1, y1 = box
    return slice(y0 - roi[1], y1 - roi[1]), slice(x0 - roi[0], x1 - roi[0])


def build_fields(geo: FaceGeometry, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The displacement fields of an avatar (all float32), with their boxes as int arrays."""
    H, W = shape[:2]
    fx, fy, fw, fh = geo.face
    mx, split, mw, mh = geo.mouth
    hcx, hcy, rx, ry = fx + 0.5 * fw, fy + 0.42 * fh, 0.78 * fw, 0.98 * fh
    roi = (max(0, int(hcx - 1.62 * rx)), max(0, int(hcy - 1.62 * ry)),
           min(W, int(hcx + 1.62 * rx) + 1), min(H, int(hcy + 1.62 * ry) + 1))
    ys, xs = np.mgrid[roi[1]:roi[3], roi[0]:roi[2]].astype(np.float32)
    r = np.sqrt(((xs - hcx) / rx) ** 2 + ((ys - hcy) / ry) ** 2)
    m = (1.0 - smoothstep(1.0, 1.6, r)).astype(np.float32)
    out: dict[str, np.ndarray] = {
        "roi": np.array(roi, np.int32), "head_c": np.array([hcx, hcy], np.float32),
        "M": m, "MX": m * (xs - hcx), "MY": m * (ys - hcy),
    }
    # lower face: from above the upper lip to below the chin, a jaw's width either side
    mb = (max(roi[0], int(mx - 0.62 * fw)), max(roi[1], int(split - 0.2 * fh)),
          min(roi[2], int(mx + 0.62 * fw) + 1), min(roi[3], int(geo.chin_y + 0.45 * fh) + 1))
    ys, xs = np.mgrid[mb[1]:mb[3], mb[0]:mb[2]].astype(np.float32)
    dxn = (xs - mx) / mw
    lens = lens_profile(dxn / INNER)
    split = geo.split_at(xs)  # per column: the lips' parting line follows the smile
    step = smoothstep(split - 0.5, split + 0.5, ys)
    jawx = 1.0 - smoothstep(0.26 * fw, 0.5 * fw, np.abs(xs - mx))
    ramp = smoothstep(split - 0.02 * fh, split + 0.24 * fh, ys)
    neck = 1.0 - smoothstep(geo.chin_y - 0.02 * fh, geo.chin_y + 0.42 * fh, ys)
    out["mouth_box"] = np.array(mb, np.int32)
    out["JW"] = (np.maximum(lens * step, jawx * ramp) * neck).astype(np.float32)
    out["UL"] = (lens * smoothstep(split - 0.15 * fh, split - 0.5, ys) * (1.0 - step)).astype(np.float32)
    lips = (1.0 - smoothstep(0.9, 1.7, np.abs(dxn))) * (1.0 - smoothstep(0.0, 1.0, np.abs(ys - split) / (2.4 * mh)))
    out["WX"] = (np.clip(dxn, -1.2, 1.2) * lips).astype(np.float32)
    out["WY"] = (np.clip(dxn ** 2, 0.0, 1.4) * lips).astype(np.float32)
    return out


class Renderer:
    """Renders frames of one avatar; holds reusable buffers, so use one per thread."""

    def __init__(self, frames: list[np.ndarray], offsets: np.ndarray, geo: FaceGeometry,
                 fields: dict[str, np.ndarray]) -> None:
        self.frames = frames
        self.offsets = offsets
        self.geo = geo
        self.f = fields
        x0, y0, x1, y1 = (int(v) for v in fields["roi"])
        self.roi = (x0, y0, x1, y1)
        h, w = y1 - y0, x1 - x0
        gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
        self.gx, self.gy = gx, gy
        self.mapx = np.empty_like(gx)
        self.mapy = np.empty_like(gy)
        self.tmp = np.empty_like(gx)
        self.mslice = _slices(tuple(int(v) for v in fields["mouth_box"]), self.roi)  # type: ignore[arg-type]
        H, W = frames[0].shape[:2]
        self.size = (W, H)
        fx, fy, fw, fh = (int(v) for v in geo.face)
        face = frames[0][max(0, fy):fy + fh, max(0, fx):fx + fw]
        # the interior's palette follows the photo's exposure
        self.lum = float(np.clip(face.mean() / 150.0, 0.5, 1.3)) if face.size else 1.0

    def base(self, index: int) -> tuple[np.ndarray, float, float]:
        """The source frame for a video frame index (an idle clip loops back and forth) and its face offset."""
        n = len(self.frames)
        if n == 1:
            return self.frames[0], 0.0, 0.0
        k = index % (2 * n - 2)
        k = k if k < n else 2 * n - 2 - k
        return self.frames[k], float(self.offsets[k, 0]), float(self.offsets[k, 1])

    def render(self, pose: Pose, index: int = 0) -> np.ndarray:
        import cv2

        src, odx, ody = self.base(index)
        geo, f = self.geo, self.f
        fw, fh = geo.face_w, geo.face_h
        x0, y0, x1, y1 = self.roi
        W, H = self.size
        sx = int(np.clip(round(odx), -x0, W - x1))
        sy = int(np.clip(round(ody), -y0, H - y1))
        ox, oy = x0 + sx, y0 + sy
        mapx, mapy, tmp = self.mapx, self.mapy, self.tmp
        np.add(self.gx, np.float32(ox), out=mapx)
        np.add(self.gy, np.float32(oy), out=mapy)
        tx, ty, th, sc = pose.tx * fw, pose.ty * fw, pose.rot, pose.scale
        if tx or ty or th or sc:
            # content moves by M * (t + s*r + rot x r); the map samples the opposite way
            for arr, c in ((f["M"], -tx), (f["MX"], -sc), (f["MY"], th)):
                if c:
                    np.multiply(arr, np.float32(c), out=tmp)
                    np.add(mapx, tmp, out=mapx)
            for arr, c in ((f["M"], -ty), (f["MX"], -th), (f["MY"], -sc)):
                if c:
                    np.multiply(arr, np.float32(c), out=tmp)
                    np.add(mapy, tmp, out=mapy)
        mx, split, mw, _ = geo.mouth
        open_px = pose.open * JAW_MAX * fh
        up_px = UPPER_LIP * open_px
        width_px = (SPREAD_WIDEN * pose.spread - ROUND_NARROW * pose.round) * mw
        lift_px = CORNER_LIFT * pose.spread * mw
        ms = self.mslice
        if open_px > 0.01:
            mapy[ms] -= open_px * f["JW"] - up_px * f["UL"]
        if abs(width_px) > 0.01:
            mapx[ms] -= width_px * f["WX"]
            mapy[ms] += lift_px * f["WY"]
        lids = [self._lid(e, pose.blink, ox, oy, sx, sy) for e in geo.eyes] if pose.blink > 0.02 else []
        out = src.copy()
        out[oy:oy + y1 - y0, ox:ox + x1 - x0] = cv2.remap(src, mapx, mapy, cv2.INTER_LINEAR,
                                                          borderMode=cv2.BORDER_REPLICATE)
        # where the head motion took the mouth (the mask is ~1 there)
        hcx, hcy = float(f["head_c"][0]), float(f["head_c"][1])
        vx = tx + sc * (mx - hcx) - th * (split - hcy) + sx
        vy = ty + th * (mx - hcx) + sc * (split - hcy) + sy
        if open_px > 0.4:
            self._cavity(out, mx + vx, split + vy, mw + width_px, open_px, up_px, pose)
        for lid in lids:
            self._lash(out, *lid)
        return out

    # ------------------------------------------------------------------ eyes
    def _lid(self, eye: tuple[float, float, float, float], b: float, ox: int, oy: int, sx: int,
             sy: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Slide the upper lid down over the eye (the skin band above the eye stretches to the lid line);
        returns what _lash needs to draw the lid edge."""
        cx, cy, hw, hh = eye
        cx, cy = cx + sx, cy + sy
        band = 1.1 * hh
        xa, xb = int(cx - hw) - 1, int(cx + hw) + 2
        ya, yb = int(cy - hh - band) - 1, int(cy + hh) + 2
        xa, ya = max(xa, ox), max(ya, oy)
        xb, yb = min(xb, ox + self.mapx.shape[1]), min(yb, oy + self.mapx.shape[0])
        xs = np.arange(xa, xb, dtype=np.float32)
        ys = np.arange(ya, yb, dtype=np.float32)[:, None]
        prof = np.sqrt(np.clip(1.0 - ((xs - cx) / hw) ** 2, 0.0, 1.0))
        top = cy - hh * prof
        bot = cy + 0.85 * hh * prof
        lid = top + min(b, 1.0) * (bot - top)  # where the lid edge is now
        start = top - band
        t = (ys - start) / np.maximum(lid - start, 1e-3)
        src_y = start + t * (top - start)
        inside = (ys >= start) & (ys <= lid)
        delta = np.where(inside, src_y - ys, 0.0).astype(np.float32)
        self.mapy[ya - oy:yb - oy, xa - ox:xb - ox] += delta
        return xs, lid, prof, b

    @staticmethod
    def _lash(out: np.ndarray, xs: np.ndarray, lid: np.ndarray, prof: np.ndarray, b: float) -> None:
        ya = int(np.floor(lid.min())) - 1
        yb = int(np.ceil(lid.max())) + 2
        xa = int(xs[0])
        if ya < 0 or yb > out.shape[0] or xa < 0 or xa + len(xs) > out.shape[1]:
            return
        ys = np.arange(ya, yb, dtype=np.float32)[:, None]
        d = np.abs(ys - lid[None, :])
        shade = 1.0 - (0.45 * min(1.0, b * 1.4)) * np.clip(1.2 - d, 0.0, 1.0) * np.clip(prof * 2.5, 0.0, 1.0)
        patch = out[ya:yb, xa:xa + len(xs)].astype(np.float32)
        out[ya:yb, xa:xa + len(xs)] = np.clip(patch * shade[:, :, None], 0, 255).astype(np.uint8)

    # ------------------------------------------------------------------ mouth interior
    def _cavity(self, out: np.ndarray, cx: float, split: float, mw: float, open_px: float, up_px: float,
                pose: Pose) -> None:
        """The dark mouth interior between the risen upper lip and the dropped lower lip."""
        g = self.geo
        xa, xb = int(cx - mw) - 1, int(cx + mw) + 2
        xs = np.arange(xa, xb, dtype=np.float32)
        d = (xs - cx) * g.mouth[2] / mw  # the column in the source, before the lips narrowed or widened
        part = split + g.mouth_curve[0] * d + g.mouth_curve[1] * d * d
        ya, yb = int(part.min() - up_px) - 2, int(part.max() + open_px) + 3
        if xa < 0 or ya < 0 or xb > out.shape[1] or yb > out.shape[0]:
            return
        ys = np.arange(ya, yb, dtype=np.float32)[:, None]
        dxn = (xs - cx) / (INNER * mw)
        lens = lens_profile(dxn)
        top = part - up_px * lens
        bot = part + open_px * lens
        gap = np.maximum(bot - top, 1e-3)
        alpha = np.clip(np.minimum(ys - top + 0.5, bot - ys + 0.3), 0.0, 1.0) * smoothstep(0.0, 0.2, lens)
        u = np.clip((ys - top) / gap, 0.0, 1.0)  # 0 at the upper lip, 1 at the lower
        # darkest in the shadow under the upper teeth and at the back, a dull red towards the lips
        depth = np.clip(lens, 0.0, 1.0) ** 0.5 * (1.0 - 0.55 * u)
        deep = np.array([20, 16, 34], np.float32)  # BGR
        rim = np.array([44, 42, 98], np.float32)
        col = rim + (deep - rim) * depth[:, :, None]
        # tongue: a muted red mound at the bottom of a wide opening
        tongue = smoothstep(0.5, 1.0, u) * smoothstep(0.3, 0.8, lens) * smoothstep(3.0, 10.0, float(open_px))
        col += (np.array([70, 80, 152], np.float32) - col) * (0.6 * tongue)[:, :, None]
        # teeth: the upper row under the lip (less when the photo already shows them), the lower row's edge
        fh = self.geo.face_h
        t_up = np.minimum((0.0 if self.geo.teeth_visible else 0.3) * gap, 0.045 * fh)
        ends = smoothstep(0.8, 0.55, np.abs(dxn))[None, :]
        upper = (ys - top < t_up) * smoothstep(0.8, 0.6, np.abs(dxn))[None, :]
        lower = (bot - ys < np.clip(0.13 * gap, 0.8, 0.03 * fh)) * ends * smoothstep(2.5, 6.0, gap)
        tooth = np.array([192, 202, 212], np.float32) * (1.0 - 0.3 * np.abs(dxn))[None, :, None]
        col += (tooth - col) * upper[:, :, None]
        col += (0.8 * tooth - col) * (0.8 * lower)[:, :, None]
        lum = self.lum
        patch = out[ya:yb, xa:xa + len(xs)].astype(np.float32)
        a = alpha[:, :, None]
        out[ya:yb, xa:xa + len(xs)] = np.clip(patch + (col * lum - patch) * a, 0, 255).astype(np.uint8)
