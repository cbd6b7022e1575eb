"""Singing synthesis for tools/singing.py.

- score.py: scores (MIDI, MusicXML, inline notation such as `C4:twin/4 C4:kle/4`) and lyrics into a
  list of sung notes, each with its syllable; every way a score can be unusable is an InvalidArguments;
- world.py: the `world` backend: each word spoken by the TTS voices, analysed with WORLD (harvest,
  CheapTrick, D4C), split into syllables, stretched to the note lengths and re-pitched to the score
  (portamento, delayed vibrato), resynthesized;
- measure.py: F0 and onset measurement of a rendering against its score (tests and the capability
  evals use it);
- diffsinger.py: the `diffsinger` backend slot (an OpenUTAU-style DiffSinger ONNX voicebank).
"""
