"""Where the face, the eyes and the mouth are in a portrait.

The face comes from OpenCV's bundled frontal-face Haar cascade (`cv2.data.haarcascades`); the eyes from
the eye cascade inside the face's upper half, else from proportions; the mouth from a proportional
prior (centre at 84% of the face box height) refined on the pixels: lip redness (Lab a*) and the row
where the lips part (the strongest bright-to-dark step, e.g. the lower edge of the upper teeth, or the
dark line between closed lips).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BadInput

MIN_FACE_PX = 48
Box = tuple[float, float, float, float]


@dataclass
class FaceGeometry:
    """Image coordinates (pixels, floats) of what the renderer moves."""

    face: tuple[float, float, float, float]  # x, y, w, h of the face box
    eyes: list[tuple[float, float, float, float]]  # per eye (left in the image first): cx, cy, half width, half height
    mouth: tuple[float, float, float, float]  # cx, y where the lips part, half width, lip half height
    chin_y: float
    teeth_visible: bool = False
    # where the lips part, across the mouth: y = split + c1 * (x - cx) + c2 * (x - cx)^2
    mouth_curve: tuple[float, float] = (0.0, 0.0)
    found: dict[str, str] = field(default_factory=dict)  # how each part was found: haar / prior / refined

    @property
    def face_w(self) -> float:
        return self.face[2]

    @property
    def face_h(self) -> float:
        return self.face[3]

    def shifted(self, dx: float, dy: float) -> FaceGeometry:
        fx, fy, fw, fh = self.face
        mx, my, mw, mh = self.mouth
        return FaceGeometry((fx + dx, fy + dy, fw, fh), [(x + dx, y + dy, w, h) for x, y, w, h in self.eyes],
                            (mx + dx, my + dy, mw, mh), self.chin_y + dy, self.teeth_visible, self.mouth_curve,
                            dict(self.found))

    def split_at(self, x: Any) -> Any:
        """The row where the lips part at column(s) x."""
        d = x - self.mouth[0]
        return self.mouth[1] + self.mouth_curve[0] * d + self.mouth_curve[1] * d * d

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["eyes"] = [list(e) for e in self.eyes]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FaceGeometry:
        return cls(tuple(d["face"]), [tuple(e) for e in d["eyes"]], tuple(d["mouth"]), float(d["chin_y"]),
                   bool(d.get("teeth_visible", False)), tuple(d.get("mouth_curve", (0.0, 0.0))),
                   dict(d.get("found", {})))


def _cascade(name: str) -> Any:
    import cv2

    c = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))
    if c.empty():
        raise RuntimeError(f"OpenCV cascade {name} is missing from {cv2.data.haarcascades}")
    return c


def read_image(path: str | Path, label: str | None = None) -> np.ndarray:
    """A BGR uint8 image, or BadInput saying why the file is not one."""
    import cv2

    p = Path(path)
    name = label or p.name
    if not p.is_file():
        raise BadInput(f"{name}: no such file")
    head = p.read_bytes()[:256]
    if not head:
        raise BadInput(f"{name} is empty (0 bytes)", "pass a png or jpg portrait")
    try:
        head.decode("utf-8")
        is_text = all(b >= 9 for b in head)
    except UnicodeDecodeError:
        is_text = False
    if is_text:
        raise BadInput(f"{name} is a text file, not an image (it starts with {head[:24]!r})",
                       "pass a png or jpg portrait")
    img = cv2.imread(str(p), cv2.IMREAD_COLOR)
    if img is None:
        raise BadInput(f"{name} is not an image OpenCV can read", "pass a png or jpg portrait")
    return img


def default_image() -> np.ndarray:
    """The default avatar: skimage.data.astronaut() (Eileen Collins, NASA, public domain), as BGR."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])


def detect_face(img: np.ndarray, label: str = "the image") -> Box:
    """The largest frontal face (x, y, w, h); BadInput when there is none."""
    import cv2

    gray = cv2.equalizeHist(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    side = min(img.shape[:2])
    min_px = max(MIN_FACE_PX // 2, int(0.06 * side))
    faces: Any = ()
    for name, neighbours in (("haarcascade_frontalface_default.xml", 5), ("haarcascade_frontalface_alt2.xml", 3)):
        faces = _cascade(name).detectMultiScale(gray, scaleFactor=1.1, minNeighbors=neighbours,
                                                minSize=(min_px, min_px))
        if len(faces):
            break
    if not len(faces):
        raise BadInput(f"no face found in {label}",
                       "use a well-lit frontal portrait (one face looking at the camera, at least 80 px wide)")
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    if w < MIN_FACE_PX:
        raise BadInput(f"the face in {label} is only {w} px wide; at least {MIN_FACE_PX} px are needed",
                       "use a larger or closer portrait")
    return float(x), float(y), float(w), float(h)


def _eyes(gray: np.ndarray, face: Box) -> tuple[list[Box], str]:
    fx, fy, fw, fh = face
    x0, y0 = int(fx), int(fy + 0.15 * fh)
    upper = gray[y0:int(fy + 0.55 * fh), x0:int(fx + fw)]
    prior = [(fx + 0.3 * fw, fy + 0.38 * fh), (fx + 0.7 * fw, fy + 0.38 * fh)]
    found: list[tuple[float, float]] = []
    if upper.size:
        boxes = _cascade("haarcascade_eye.xml").detectMultiScale(
            upper, scaleFactor=1.05, minNeighbors=3, minSize=(max(8, int(0.15 * fw)),) * 2,
            maxSize=(int(0.45 * fw),) * 2)
        centres = [(x0 + x + w / 2, y0 + y + h / 2) for x, y, w, h in boxes]
        left = [c for c in centres if c[0] < fx + 0.5 * fw]
        right = [c for c in centres if c[0] >= fx + 0.5 * fw]
        if left and right:
            lc = min(left, key=lambda c: abs(c[0] - prior[0][0]) + abs(c[1] - prior[0][1]))
            rc = min(right, key=lambda c: abs(c[0] - prior[1][0]) + abs(c[1] - prior[1][1]))
            if abs(lc[1] - rc[1]) < 0.12 * fh and 0.25 * fw < rc[0] - lc[0] < 0.65 * fw:
                found = [lc, rc]
    how = "haar" if found else "prior"
    centres_out = found or prior
    eyes = []
    for cx, cy in centres_out:
        cy = _refine_eye_row(gray, cx, cy, fw)
        eyes.append((cx, cy, 0.11 * fw, 0.042 * fw))
    return eyes, how


def _refine_eye_row(gray: np.ndarray, cx: float, cy: float, fw: float) -> float:
    """The darkest row (iris, lashes) within a few pixels of the estimate."""
    hw, hh = int(0.07 * fw) + 1, int(0.06 * fw) + 1
    y0, x0 = max(0, int(cy) - hh), max(0, int(cx) - hw)
    patch = gray[y0:int(cy) + hh + 1, x0:int(cx) + hw + 1].astype(np.float32)
    if patch.shape[0] < 3 or patch.shape[1] < 3:
        return cy
    rows = np.convolve(patch.mean(axis=1), np.ones(3) / 3, mode="same")
    return float(y0 + int(np.argmin(rows[1:-1])) + 1)


def _split_curve(light: np.ndarray, x0: int, y0: int, cx: float, split: float, hw: float,
                 hh: float) -> tuple[float, tuple[float, float]]:
    """Fit the row where the lips part (the strongest bright-to-dark step going down each column) with a
    parabola: (split at cx, (c1, c2))."""
    xs_, ys_, ws_ = [], [], []
    lo, hi = int(split - 0.9 * hh) - y0, int(split + 0.4 * hh) - y0
    if lo < 0 or hi >= light.shape[0] - 1:
        return split, (0.0, 0.0)
    sm = np.apply_along_axis(lambda r: np.convolve(r, np.ones(3) / 3, mode="same"), 1, light)
    for x in range(int(cx - 0.85 * hw), int(cx + 0.85 * hw) + 1):
        c = x - x0
        if not 0 <= c < light.shape[1]:
            continue
        col = sm[lo:hi + 2, c]
        step = col[:-1] - col[1:]
        k = int(np.argmax(step))
        if step[k] > 8:
            xs_.append(x - cx)
            ys_.append(y0 + lo + k + 1.0)
            ws_.append(float(step[k]))
    if len(xs_) < 6:
        return split, (0.0, 0.0)
    c2, c1, c0 = np.polyfit(np.array(xs_), np.array(ys_), 2, w=np.sqrt(np.array(ws_)))
    c1 = float(np.clip(c1, -0.5 * hh / hw, 0.5 * hh / hw))
    c2 = float(np.clip(c2, -0.8 * hh / hw ** 2, 0.8 * hh / hw ** 2))
    return float(c0), (c1, c2)


def _mouth(img: np.ndarray, face: Box) -> tuple[Box, bool, tuple[float, float], str]:
    """(cx, split_y, half width, lip half height), whether teeth show, the split curve, and how it was found."""
    import cv2

    fx, fy, fw, fh = face
    cx, cy, hw, hh = fx + 0.5 * fw, fy + 0.84 * fh, 0.21 * fw, 0.07 * fh
    x0, x1 = int(max(0, fx + 0.22 * fw)), int(min(img.shape[1], fx + 0.78 * fw))
    y0, y1 = int(max(0, fy + 0.66 * fh)), int(min(img.shape[0], fy + 1.02 * fh))
    region = img[y0:y1, x0:x1]
    how = "prior"
    teeth = False
    curve = (0.0, 0.0)
    if region.shape[0] >= 8 and region.shape[1] >= 8:
        lab = cv2.cvtColor(region, cv2.COLOR_BGR2LAB).astype(np.float32)
        a = cv2.GaussianBlur(lab[:, :, 1], (3, 3), 0)
        light = lab[:, :, 0]
        skin = float(np.median(a))
        lips = a > skin + max(4.0, 0.5 * float(np.std(a)))
        n, _, stats, cents = cv2.connectedComponentsWithStats(lips.astype(np.uint8), connectivity=8)
        best, best_score = -1, 0.0
        for i in range(1, n):
            w_i, h_i, area = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_AREA]
            if w_i < 0.18 * fw or area < 0.004 * fw * fh or h_i > 0.3 * fh:
                continue
            dist = abs(x0 + cents[i][0] - cx) / fw + abs(y0 + cents[i][1] - cy) / fh
            score = area / (1.0 + 6 * dist)
            if score > best_score and w_i > h_i:
                best, best_score = i, score
        if best > 0:
            bx, by, bw, bh = (int(stats[best, k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                              cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
            # teeth between the lips are bright and grey, not red: close the box over them
            cx, hw = x0 + bx + bw / 2, max(0.14 * fw, min(0.3 * fw, bw / 2))
            top, bot = y0 + by, y0 + by + bh
            cy, hh = (top + bot) / 2, max(0.035 * fh, min(0.12 * fh, bh / 2))
            how = "refined"
        # the lips part at the strongest bright-to-dark step going down the mouth's middle
        mx0, mx1 = int(cx - 0.5 * hw) - x0, int(cx + 0.5 * hw) - x0
        my0, my1 = int(cy - 0.8 * hh) - y0, int(cy + 0.8 * hh) - y0
        col = light[max(0, my0):max(0, my1), max(0, mx0):max(1, mx1)]
        split = cy
        if col.shape[0] >= 4 and col.shape[1] >= 2:
            rows = col.mean(axis=1)
            step = rows[:-1] - rows[1:]
            k = int(np.argmax(step))
            if step[k] > 6:
                split = y0 + max(0, my0) + k + 1.0
            bright = (light > 170) & (np.abs(lab[:, :, 1] - 128) < 14) & (np.abs(lab[:, :, 2] - 128) < 22)
            band = bright[max(0, my0):max(0, int(split) - y0), max(0, mx0):max(1, mx1)]
            teeth = bool(band.size and band.mean() > 0.2)
        cy, curve = _split_curve(light, x0, y0, cx, split, hw, hh)
    return (float(cx), float(cy), float(hw), float(hh)), teeth, curve, how


def find_geometry(img: np.ndarray, label: str = "the image") -> FaceGeometry:
    import cv2

    face = detect_face(img, label)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    eyes, eye_how = _eyes(gray, face)
    mouth, teeth, curve, mouth_how = _mouth(img, face)
    _, fy, _, fh = face
    chin = max(mouth[1] + 0.24 * fh, fy + 1.05 * fh)
    return FaceGeometry(face, eyes, mouth, float(chin), teeth, curve,
                        {"face": "haar", "eyes": eye_how, "mouth": mouth_how})
