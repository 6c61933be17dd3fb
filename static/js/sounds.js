// Notification sounds made with WebAudio, so the app ships no audio files.

let context = null;

// Browsers only let audio start after a user gesture; the first click unlocks it.
export function unlockAudio() {
  const unlock = () => { audio()?.resume(); };
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });
}

function audio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  context ||= new Context();
  return context;
}

function tone(ctx, { freq, start, length, type = "sine", gain = 0.18, slideTo = null }) {
  const osc = ctx.createOscillator();
  const amp = ctx.createGain();
  const t = ctx.currentTime + start;
  osc.type = type;
  osc.frequency.setValueAtTime(freq, t);
  if (slideTo) osc.frequency.exponentialRampToValueAtTime(slideTo, t + length);
  amp.gain.setValueAtTime(0.0001, t);
  amp.gain.exponentialRampToValueAtTime(gain, t + 0.01);
  amp.gain.exponentialRampToValueAtTime(0.0001, t + length);
  osc.connect(amp).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + length + 0.05);
}

const SOUNDS = {
  chime: [{ freq: 880, start: 0, length: 0.35 }, { freq: 1318.5, start: 0.14, length: 0.5 }],
  bell: [{ freq: 1046.5, start: 0, length: 1.1, gain: 0.16 }, { freq: 2093, start: 0, length: 0.6, gain: 0.05 }, { freq: 2637, start: 0, length: 0.4, gain: 0.03 }],
  pop: [{ freq: 420, start: 0, length: 0.12, type: "triangle", gain: 0.25, slideTo: 900 }],
};

export function playSound(name) {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === "suspended") ctx.resume();
  (SOUNDS[name] || SOUNDS.chime).forEach((spec) => tone(ctx, spec));
}
