import { useState } from 'react';
import type { SourceConfig } from '../../../shared/types.js';
import { useSources } from '../../stores/sources.js';
import { closesOnEscape, unavailable } from '../layout/focus.js';
import { splitEntries } from './entries.js';

/** Add a file (a path, a glob or a folder), Docker containers or the system journal to watch. */
export function AddSourceForm({ onDone }: { onDone: () => void }) {
  const add = useSources((s) => s.add);
  const [type, setType] = useState<'file' | 'docker' | 'journald'>('file');
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [containers, setContainers] = useState('');
  const [units, setUnits] = useState('');
  const [start, setStart] = useState<'end' | 'beginning'>('end');
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const list = splitEntries;
    const source: SourceConfig =
      type === 'file'
        ? { name: name.trim(), type: 'file', path: path.trim(), start }
        : type === 'docker'
          ? { name: name.trim(), type: 'docker', ...(containers.trim() ? { containers: list(containers) } : {}) }
          : { name: name.trim(), type: 'journald', ...(units.trim() ? { units: list(units) } : {}) };
    const ok = await add(source);
    setBusy(false);
    if (ok) onDone();
  };

  return (
    <form className="add-source" onSubmit={submit} aria-label="add source" {...closesOnEscape(onDone)}>
      <div className="seg">
        <button type="button" className={type === 'file' ? 'chip active' : 'chip'} aria-pressed={type === 'file'} onClick={() => setType('file')}>
          File
        </button>
        <button type="button" className={type === 'docker' ? 'chip active' : 'chip'} aria-pressed={type === 'docker'} onClick={() => setType('docker')}>
          Docker
        </button>
        <button type="button" className={type === 'journald' ? 'chip active' : 'chip'} aria-pressed={type === 'journald'} onClick={() => setType('journald')}>
          System journal
        </button>
      </div>
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="app" required autoFocus />
      </label>
      {type === 'file' ? (
        <>
          <label>
            Path, glob or folder
            <input name="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/var/log/app/*.log" required />
          </label>
          <label>
            Start
            <select name="start" value={start} onChange={(e) => setStart(e.target.value as 'end' | 'beginning')}>
              <option value="end">at the end (new lines only)</option>
              <option value="beginning">at the beginning</option>
            </select>
          </label>
        </>
      ) : type === 'docker' ? (
        <label>
          Containers (names or /regex/, comma-separated; empty = all)
          <input name="containers" value={containers} onChange={(e) => setContainers(e.target.value)} placeholder="web, api" />
        </label>
      ) : (
        <label>
          Units (comma-separated; empty = the whole journal)
          <input name="units" value={units} onChange={(e) => setUnits(e.target.value)} placeholder="nginx.service, ssh.service" />
        </label>
      )}
      <div className="row">
        <button type="submit" className="primary" {...unavailable(busy)}>
          Add source
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
