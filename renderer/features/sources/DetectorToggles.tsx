import { useEffect, useRef, useState } from 'react';
import type { SourceConfig } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

const DETECTORS: [string, string][] = [
  ['critical', 'critical/fatal lines'],
  ['burst', 'error bursts'],
  ['errorRate', 'error-rate spikes'],
  ['newTemplate', 'new messages'],
  ['templateSurge', 'message surges'],
  ['silence', 'silence'],
  ['traceback', 'stack traces'],
  ['alerts', 'alert-jsonl entries'],
];

function isOn(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v && typeof v === 'object' && 'enabled' in v) return (v as { enabled?: boolean }).enabled !== false;
  return v !== undefined;
}

/** Which detectors run for one source (its `detectors:` in vigil.yml over the defaults). */
export function DetectorToggles({ source }: { source: SourceConfig }) {
  const [settings, setSettings] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const own = ((source as { detectors?: Record<string, unknown> }).detectors ?? {}) as Record<string, unknown>;

  // What the detectors run is asked for again once the clicks are all answered; an answer
  // to an earlier ask, or one asked while clicks were out, would untick boxes clicked since.
  const asked = useRef(0);
  const inFlight = useRef(0);
  const load = () => {
    const mine = ++asked.current;
    void api()
      .call('detect.settings', { source: source.name })
      .then((r) => {
        if (mine === asked.current && inFlight.current === 0) setSettings(r.settings);
      });
  };
  useEffect(load, [source.name]);

  // Clicks build on the one before, and are sent one after another: built on the source as
  // last shown, two quick clicks each sent one change, and the second undid the first. The
  // source as shown catches up only when no click is out (its change for an earlier click
  // came in while a later one was out, and the click after that undid the later one).
  const latest = useRef(own);
  const pending = useRef<Promise<unknown>>(Promise.resolve());
  useEffect(() => {
    if (inFlight.current === 0) latest.current = own;
  }, [source]);

  const toggle = (key: string, on: boolean) => {
    inFlight.current++;
    setSettings((s) => (s ? { ...s, [key]: on } : s));
    pending.current = pending.current.then(async () => {
      // Built when sent, on what the clicks before it made: one refused is not sent again.
      const cur = latest.current[key];
      const next = typeof cur === 'object' && cur !== null ? { ...cur, enabled: on } : on;
      const settings = { ...latest.current, [key]: next };
      try {
        const r = await api().call('detect.configure', { source: source.name, settings: settings as never });
        setError(r.ok ? null : r.errors.map((e) => `${e.key}: ${e.reason}`).join('; '));
        if (r.ok) latest.current = settings;
      } catch (err) {
        // Not sent (the connection dropped): said, and the next click is still sent.
        setError((err as Error).message);
      }
      if (--inFlight.current === 0) load();
    });
  };

  if (!settings) return <div className="muted small">…</div>;
  return (
    <div className="detectors" data-testid="detector-toggles">
      {DETECTORS.map(([key, label]) => (
        <label key={key} className="small">
          <input type="checkbox" checked={isOn(settings[key])} onChange={(e) => toggle(key, e.target.checked)} /> {label}
        </label>
      ))}
      {error && <div className="error small">{error}</div>}
    </div>
  );
}
