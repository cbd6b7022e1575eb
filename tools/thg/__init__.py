"""The talking-head engine behind tools/talking_head.py.

    face.py     find the face, eyes and mouth in a portrait (Haar cascades + priors refined on the pixels)
    prepare.py  the prepared avatar (image or idle clip, geometry, warp fields), cached by content hash
    motion.py   speech audio -> per-frame mouth parameters (jaw, rounding, spreading) + idle motion
    render.py   one frame from an avatar and a pose: remap-based warps of the face, the mouth interior
    stream.py   the streaming core (push_audio / clear_buffer / frames): 40 ms of audio per video frame
    video.py    mp4 (H.264 + AAC) writing and idle-clip reading with PyAV
    measure.py  lip-sync and A/V sync measurements on a rendered mp4
    wav2lip.py  the Wav2Lip generator (PyTorch) and its inference path
    neural.py   the neural backends (Wav2Lip, and GeneFace/SadTalker/MuseTalk placeholders)

Nothing here is imported by `import agent`; cv2, skimage and torch are imported inside these modules.
"""

FPS = 25
FRAME_SECONDS = 1.0 / FPS
