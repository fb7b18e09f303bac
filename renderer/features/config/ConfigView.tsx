import { useEffect } from 'react';
import type { ConfigError } from '../../../shared/types.js';
import { useConfig } from '../../stores/config.js';
import { unavailable } from '../layout/focus.js';
import { StoreUsageLine } from './StoreUsageLine.js';

/** The whole vigil.yml: sources, detection, rules, channels, notify routing, formats. */
export function ConfigView() {
  const { text, saved, path, errors, fileErrors, message, stale, load, loadIfClean, setText, save } = useConfig();
  useEffect(() => {
    void loadIfClean();
  }, [loadIfClean]);
  const dirty = text !== saved;
  return (
    <section className="panel config">
      <header>
        <h2>Config</h2>
        <span className="muted small mono">{path}</span>
        <div className="spacer" />
        <button {...unavailable(!dirty)} onClick={() => dirty && void load()}>
          Revert
        </button>
        <button className="primary" {...unavailable(!dirty)} onClick={() => dirty && void save()}>
          Save
        </button>
      </header>
      {errors.length > 0 && (
        <ErrorList testId="config-errors" lead={errors[0]!.key === 'connection' ? 'Not known whether it was saved:' : 'Not saved; the config in force is unchanged.'} errors={errors} />
      )}
      {fileErrors.length > 0 && errors.length === 0 && (
        <ErrorList
          testId="config-file-errors"
          lead="This is the file as it is now: it was edited and is not valid, so the last good config stays in force (and changes made elsewhere in the app wait until it is fixed)."
          errors={fileErrors}
        />
      )}
      <div role="status">{message && !dirty && <div className="note ok">{message}</div>}</div>
      {stale && dirty && (
        <div className="note warn" data-testid="config-stale">
          vigil.yml changed since you opened it (in another window, from the app, or by hand): Save is refused, so as not to undo that change. Revert to see it, then make your change again.
        </div>
      )}
      <StoreUsageLine refresh={saved} />
      <textarea
        className="sql config-text"
        spellCheck={false}
        aria-label="vigil.yml"
        // Not before the file is in (a draft typed into the empty box was replaced by it).
        readOnly={!path}
        placeholder={path ? undefined : 'Loading vigil.yml…'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void save();
          }
        }}
      />
    </section>
  );
}

/** Config errors, key and reason, under a sentence that says what they mean. */
function ErrorList({ testId, lead, errors }: { testId: string; lead: string; errors: ConfigError[] }) {
  return (
    <div className="error" role="alert" data-testid={testId}>
      {lead}
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            <code>{e.key}</code>: {e.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
