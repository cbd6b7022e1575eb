// The avatar page: microphone in, avatar audio+video out, captions and per-turn latency.
// WebRTC by default; ?transport=ws uses the WebSocket fallback. ?autostart=1 starts at once (tests).
// Everything measured here is on this page's clock (performance.now()) and kept in window.audiogent.
"use strict";
(() => {
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const A = window.audiogent = {
  state: "idle", transport: params.get("transport") === "ws" ? "ws" : "webrtc",
  events: [], turns: {}, mic: [], out: [], frames: 0, marked: [], errors: [], fps: 0,
};
// the browser's echo cancellation (and noise suppression, gain control) keep the avatar's voice out of
// the microphone; ?aec=0 turns them off (headphones, or a microphone that is a file)
const aec = params.get("aec") !== "0";
const THRESHOLD = 0.01;  // RMS of a voiced 10 ms block; the server marks voiced frames at the same level
let ctx, pc, ws, channel, micStream, wsPlay, partialLine = null;

function status(text) { $("status").textContent = text; }
function log(kind, text, cls) {
  const p = document.createElement("p");
  p.className = cls || kind; p.textContent = text;
  $("captions").appendChild(p); $("captions").scrollTop = 1e9;
  return p;
}
function turn(n) { return A.turns[n] || (A.turns[n] = { turn: n }); }

// ---------------------------------------------------------------- level meters (one AudioWorklet)
const METER = `
class Meter extends AudioWorkletProcessor {
  constructor() { super(); this.on = false; this.run = 0; }
  process(inputs) {
    const x = inputs[0] && inputs[0][0];
    if (!x) return true;
    let s = 0; for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    const voiced = Math.sqrt(s / x.length) >= ${THRESHOLD};
    if (voiced !== this.on) { this.run++; } else { this.run = 0; }
    // onset after 2 blocks (5 ms), offset after 12 blocks (32 ms) at 48 kHz
    if (this.run >= (this.on ? 12 : 2)) {
      this.on = voiced; this.run = 0;
      this.port.postMessage({ on: voiced, t: currentTime - (this.on ? 2 : 12) * 128 / sampleRate });
    }
    return true;
  }
}
registerProcessor("meter", Meter);`;

function perfTime(contextTime) {
  const ts = ctx.getOutputTimestamp();
  return ts.performanceTime + (contextTime - ts.contextTime) * 1000;
}
async function meter(source, into) {
  const node = new AudioWorkletNode(ctx, "meter");
  node.port.onmessage = (e) => into.push({ on: e.data.on, t: perfTime(e.data.t) });
  source.connect(node);
  const mute = ctx.createGain(); mute.gain.value = 0; node.connect(mute).connect(ctx.destination);
}
function lastOffBefore(list, t) {
  let found = null;
  for (const x of list) if (!x.on && x.t <= t) found = x.t;
  return found;
}
function firstAfter(list, t, on) {
  for (const x of list) if (x.on === on && x.t > t) return x.t;
  return null;
}

// ---------------------------------------------------------------- video frames (marker + fps)
// read(source, t): one shown frame (a <video> or a decoded picture) at page time t
function frameReader() {
  const canvas = document.createElement("canvas"); canvas.width = canvas.height = 16;
  const g = canvas.getContext("2d", { willReadFrequently: true });
  let wasMarked = false, count = 0, since = performance.now();
  return (source, now) => {
    A.frames++; count++;
    g.drawImage(source, 0, 0, 16, 16, 0, 0, 16, 16);
    const d = g.getImageData(2, 2, 12, 12).data; let s = 0;
    for (let i = 0; i < d.length; i += 4) s += d[i];
    const marked = s / (d.length / 4) > 128;
    if (marked !== wasMarked) { A.marked.push({ on: marked, t: now }); wasMarked = marked; }
    if (now - since >= 1000) { A.fps = count * 1000 / (now - since); count = 0; since = now; }
  };
}
function watchVideo(video) {
  const read = frameReader();
  const loop = (now) => { read(video, now); video.requestVideoFrameCallback(loop); };
  video.requestVideoFrameCallback(loop);
}

// ---------------------------------------------------------------- events from the server
function onEvent(ev) {
  const now = performance.now();
  ev.at = now; A.events.push(ev);
  const t = ev.turn != null ? turn(ev.turn) : null;
  switch (ev.type) {
    case "ready": A.state = "ready"; status("Listening. Talk to the avatar."); break;
    case "vad":
      if (ev.state === "end" && !ev.ignored) {
        // the page heard the user stop speaking at the last microphone offset before this event
        t.userEnd = lastOffBefore(A.mic, now) ?? now; t.vadEventAt = now;
      }
      break;
    case "caption":
      if (ev.role === "user") {
        // partials fill one line until the final transcript takes it over (a pause may renumber the turn)
        const p = t.userP || partialLine || (partialLine = log("user", "", "user partial"));
        p.textContent = "You: " + ev.text; p.className = ev.final ? "user" : "user partial";
        if (ev.final) { t.userP = p; partialLine = null; t.transcript = ev.text; }
      } else {
        if (!t.botP) t.botP = log("assistant", "Avatar: ", "assistant");
        t.botP.textContent += ev.delta; t.reply = (t.reply || "") + ev.delta;
      }
      break;
    case "turn_metrics": t.server = ev.ms_since_speech_end; break;
    case "reply_start": t.replyStartEvent = now; setTimeout(() => measure(ev.turn, 20), 1000); break;
    case "interrupt":
      t.interruptedAt = now; t.heard = ev.heard;
      if (t.botP) t.botP.textContent += " …";
      flushPlayback();
      break;
    case "tool_start": status("Working on it: " + ev.tools.join(" → ").replace(/_/g, " ") + "…"); break;
    case "tool_result": {
      A.toolResults = (A.toolResults || []).concat([ev]);
      const p = log("note", (ev.ok ? "✓ " : "⚠ ") + ev.answer, "note");
      for (const f of ev.files) {
        const a = document.createElement("a");
        a.href = f.url; a.textContent = " " + f.name; a.target = "_blank"; a.rel = "noopener";
        p.appendChild(a);
      }
      status("Listening. Talk to the avatar.");
      break;
    }
    case "error": A.errors.push(ev); log("note", "⚠ " + ev.error + (ev.hint ? " (" + ev.hint + ")" : ""), "note"); break;
  }
}

function measure(n, tries) {
  const t = turn(n);
  if (t.userEnd == null) return;
  const audio = firstAfter(A.out, t.userEnd, true), frame = firstAfter(A.marked, t.userEnd, true);
  if ((audio == null || frame == null) && tries > 0) return setTimeout(() => measure(n, tries - 1), 500);
  if (audio != null) t.replyAudioMs = audio - t.userEnd;
  if (frame != null) t.firstFrameMs = frame - t.userEnd;
  if (audio != null && frame != null) t.avOffsetMs = frame - audio;
  const s = t.server || {};
  const row = document.createElement("tr");
  const f = (v) => v == null ? "–" : Math.round(v);
  row.innerHTML = `<td>${n}</td><td>${f(t.replyAudioMs)}</td><td>${f(t.firstFrameMs)}</td><td>${f(t.avOffsetMs)}</td>` +
    `<td>${f(s.asr_final)} / ${f(s.llm_first_sentence)} / ${f(s.tts_first_audio)} / ${f(s.first_frame)}</td>`;
  $("latency").tBodies[0].appendChild(row);
}

// barge-in: time from the interrupting speech's onset (at the page) to the avatar's silence
A.bargeIns = () => Object.values(A.turns).filter((t) => t.interruptedAt).map((t) => {
  let onset = null;
  for (const x of A.mic) if (x.on && x.t < t.interruptedAt) onset = x.t;
  const silent = firstAfter(A.out, onset ?? t.interruptedAt, false);
  return { turn: t.turn, onsetToSilenceMs: silent != null && onset != null ? silent - onset : null,
           eventToSilenceMs: silent != null ? silent - t.interruptedAt : null };
});

// ---------------------------------------------------------------- WebRTC
async function startWebRTC() {
  pc = new RTCPeerConnection();
  micStream.getTracks().forEach((tr) => pc.addTrack(tr, micStream));
  pc.addTransceiver("video", { direction: "recvonly" });
  channel = pc.createDataChannel("events");
  channel.onmessage = (e) => onEvent(JSON.parse(e.data));
  pc.ontrack = (e) => {
    // play as soon as possible: no extra buffering beyond what the network's jitter needs
    if ("jitterBufferTarget" in e.receiver) e.receiver.jitterBufferTarget = 0;
    if ("playoutDelayHint" in e.receiver) e.receiver.playoutDelayHint = 0;
    const video = $("avatar");
    if (video.srcObject !== e.streams[0]) {
      video.srcObject = e.streams[0];
      watchVideo(video);
    }
    if (e.track.kind === "audio") meter(ctx.createMediaStreamSource(new MediaStream([e.track])), A.out);
  };
  pc.onconnectionstatechange = () => {
    if (["failed", "disconnected"].includes(pc.connectionState)) { status("Connection lost. Press Start to talk again."); stop(); }
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((ok) => {
    if (pc.iceGatheringState === "complete") return ok();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && ok();
    setTimeout(ok, 3000);
  });
  const r = await fetch("api/offer", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type }) });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  await pc.setRemoteDescription(body);
}
function flushPlayback() {
  if (A.transport === "ws") return wsPlay && wsPlay.flush();
  // WebRTC: the server already stopped; mute what the jitter buffer still holds
  const v = $("avatar"); v.muted = true; setTimeout(() => { v.muted = false; }, 120);
}

// ---------------------------------------------------------------- WebSocket fallback
function wsPlayer() {
  const out = ctx.createGain(); out.connect(ctx.destination);
  meter(out, A.out);
  const canvas = $("screen"), g = canvas.getContext("2d"), read = frameReader();
  const MAX_LEAD = 0.08;  // seconds of audio queued ahead of the sound card
  let next = 0, sources = [], pending = [];
  const tick = () => {
    const now = ctx.currentTime;
    while (pending.length && pending[0].when <= now) {
      const p = pending.shift();
      g.drawImage(p.image, 0, 0, canvas.width, canvas.height);
      read(p.image, performance.now());  // the picture the page just drew
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    async frame(buf) {
      const view = new DataView(buf), n = view.getUint16(5, true);
      const pcm = new Int16Array(buf.slice(7, 7 + 2 * n));
      const image = await createImageBitmap(new Blob([buf.slice(7 + 2 * n)], { type: "image/jpeg" }));
      // The server's clock and this sound card's drift apart, and a stalled tab bunches frames up: a
      // silent (idle) frame is not played while more than MAX_LEAD is queued, so the lead shrinks back
      // between replies instead of adding to every later reply's latency. Speech is never dropped.
      if (next - ctx.currentTime > MAX_LEAD && pcm.every((v) => v === 0)) {
        pending.push({ when: next, image });
        return;
      }
      const ab = ctx.createBuffer(1, n, 16000), ch = ab.getChannelData(0);
      for (let i = 0; i < n; i++) ch[i] = pcm[i] / 32768;
      const when = Math.max(next, ctx.currentTime + 0.08);
      const src = ctx.createBufferSource(); src.buffer = ab; src.connect(out); src.start(when);
      sources.push(src); src.onended = () => { sources = sources.filter((s) => s !== src); };
      next = when + n / 16000;
      pending.push({ when, image });
    },
    flush() { sources.forEach((s) => { try { s.stop(); } catch (e) {} }); sources = []; pending = []; next = 0; },
  };
}
async function startWebSocket() {
  const url = new URL("ws", location.href); url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(url); ws.binaryType = "arraybuffer";
  wsPlay = wsPlayer();
  $("avatar").hidden = true; $("screen").hidden = false;
  ws.onmessage = (e) => typeof e.data === "string" ? onEvent(JSON.parse(e.data)) : wsPlay.frame(e.data);
  ws.onclose = (e) => { if (A.state !== "stopped") { status("Disconnected: " + (e.reason || "the server closed the connection")); stop(); } };
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error("WebSocket failed")); });
  // microphone -> 16 kHz int16, 20 ms per message
  const SEND = `
  class Mic extends AudioWorkletProcessor {
    constructor() { super(); this.buf = []; this.acc = 0; this.n = 0; this.ratio = sampleRate / 16000; }
    process(inputs) {
      const x = inputs[0] && inputs[0][0]; if (!x) return true;
      for (let i = 0; i < x.length; i++) {
        this.acc += x[i]; this.n++;
        if (this.n >= this.ratio) { this.buf.push(this.acc / this.n); this.acc = 0; this.n -= this.ratio; if (this.n < 0) this.n = 0; }
      }
      if (this.buf.length >= 320) {
        const out = new Int16Array(this.buf.splice(0, 320).map((v) => Math.max(-1, Math.min(1, v)) * 32767));
        this.port.postMessage(out.buffer, [out.buffer]);
      }
      return true;
    }
  }
  registerProcessor("mic", Mic);`;
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([SEND], { type: "text/javascript" })));
  const node = new AudioWorkletNode(ctx, "mic");
  node.port.onmessage = (e) => ws.readyState === 1 && ws.send(e.data);
  ctx.createMediaStreamSource(micStream).connect(node);
  const mute = ctx.createGain(); mute.gain.value = 0; node.connect(mute).connect(ctx.destination);
}

// ---------------------------------------------------------------- start / stop
async function start() {
  $("start").disabled = true; A.state = "starting"; A.startedAt = performance.now(); status("Connecting…");
  try {
    micStream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: aec, noiseSuppression: aec, autoGainControl: aec, channelCount: 1 } });
    ctx = new AudioContext();
    await ctx.resume();
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([METER], { type: "text/javascript" })));
    meter(ctx.createMediaStreamSource(micStream), A.mic);
    await (A.transport === "ws" ? startWebSocket() : startWebRTC());
    $("stop").disabled = false;
  } catch (e) {
    A.state = "error"; A.errors.push({ error: String(e) });
    status("Could not start: " + (e.message || e) + (e.name === "NotAllowedError" ? " (allow the microphone for this page)" : ""));
    $("start").disabled = false;
  }
}
function stop() {
  A.state = "stopped";
  if (pc) pc.close(); if (ws) ws.close(); if (micStream) micStream.getTracks().forEach((t) => t.stop());
  pc = ws = null; $("start").disabled = false; $("stop").disabled = true;
}
$("start").onclick = start;
$("stop").onclick = () => { stop(); status("Stopped. Press Start to talk again."); };
if (params.get("autostart")) start();
})();
