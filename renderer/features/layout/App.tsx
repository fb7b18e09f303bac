import { useEffect, useRef, useState } from 'react';
import { useConnection } from '../../stores/connection.js';
import { OPEN_COUNT_MAX, useAnomalies } from '../../stores/anomalies.js';
import { useUi, type Tab } from '../../stores/ui.js';
import { useConfig } from '../../stores/config.js';
import { AnomaliesView } from '../anomalies/AnomaliesView.js';
import { LiveView } from '../live/LiveView.js';
import { NotificationsView } from '../notifications/NotificationsView.js';
import { RatePanel } from '../overview/RatePanel.js';
import { QueryView } from '../query/QueryView.js';
import { ConfigView } from '../config/ConfigView.js';
import { SourcesPanel } from '../sources/SourcesPanel.js';

export function App() {
  const { connected, refused, info } = useConnection();
  const { tab, setTab } = useUi();
  const open = useAnomalies((s) => s.openCount);
  const fileErrors = useConfig((s) => s.fileErrors);
  const news = useNewAnomalies();
  const tabs: [Tab, string][] = [
    ['live', 'Live'],
    ['anomalies', open ? `Anomalies (${open}${open >= OPEN_COUNT_MAX ? '+' : ''})` : 'Anomalies'],
    ['notifications', 'Notifications'],
    ['query', 'SQL'],
    ['config', 'Config'],
  ];
  return (
    <div className="app">
      <a className="skip" href="#view" onClick={(e) => (e.preventDefault(), document.getElementById('view')?.focus())}>
        Skip to {tabs.find(([id]) => id === tab)![1]}
      </a>
      {/* Said to screen readers as it happens: a new anomaly on a page nobody looks at. */}
      <div className="visually-hidden" role="status" data-testid="announce">
        {news}
      </div>
      <header className="topbar">
        <span className="logo">◉ Vigil</span>
        <span className={connected ? 'conn up' : 'conn down'}>
          {connected ? 'connected' : refused ? 'token refused' : 'reconnecting…'}
        </span>
        <nav
          className="tabs"
          role="tablist"
          aria-label="views"
          onKeyDown={(e) => {
            // Tabs as screen readers announce them: the arrow keys move between them, Tab leaves.
            const i = tabs.findIndex(([id]) => id === tab);
            const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
            if (to === undefined) return;
            e.preventDefault();
            const next = tabs[(to + tabs.length) % tabs.length]![0];
            setTab(next);
            document.getElementById(`tab-${next}`)?.focus();
          }}
        >
          {tabs.map(([id, label]) => (
            <button
              key={id}
              id={`tab-${id}`}
              role="tab"
              aria-selected={tab === id}
              aria-controls="view"
              tabIndex={tab === id ? 0 : -1}
              className={tab === id ? 'tab active' : 'tab'}
              onClick={() => setTab(id)}
            >
              {label}
            </button>
          ))}
        </nav>
        <div className="spacer" />
        {info && (
          <span className="muted small" title={info.dbPath}>
            {info.host === 'server' ? 'headless' : 'desktop'} · v{info.version}
          </span>
        )}
      </header>
      {!connected && !refused && info && (
        <div className="banner note warn" role="alert" data-testid="link-lost-banner">
          The connection to Vigil was lost; reconnecting. What you do now waits until it is back.
        </div>
      )}
      {/* Said in full below the bar: in the bar it pushed the tabs onto two lines at 1024 px. */}
      {!connected && refused && (
        <div className="banner error" role="alert" data-testid="token-refused-banner">
          This page's token is no longer accepted (Vigil was restarted with a new one): open the URL it printed. Until then nothing here can change.
        </div>
      )}
      {fileErrors.length > 0 && tab !== 'config' && (
        <div className="banner error" role="alert" data-testid="config-invalid-banner">
          vigil.yml was edited and is not valid ({fileErrors[0]!.key}: {fileErrors[0]!.reason}
          {fileErrors.length > 1 ? `, and ${fileErrors.length - 1} more` : ''}). The last good config stays in force.{' '}
          <button className="link" onClick={() => setTab('config')}>
            Open Config
          </button>
        </div>
      )}
      <main className="layout">
        <SourcesPanel />
        <div className="main-col" id="view" role="tabpanel" aria-labelledby={`tab-${tab}`} tabIndex={-1}>
          <RatePanel />
          {tab === 'live' && <LiveView />}
          {tab === 'anomalies' && <AnomaliesView />}
          {tab === 'notifications' && <NotificationsView />}
          {tab === 'query' && <QueryView />}
          {tab === 'config' && <ConfigView />}
        </div>
      </main>
    </div>
  );
}

/**
 * What to announce of the anomaly list: the anomalies that opened since it was last seen
 * (not those there when the page opened).
 */
function useNewAnomalies(): string {
  const list = useAnomalies((s) => s.list);
  // The store's list before its first load: the first list loaded is what was there.
  const before = useRef(list);
  const seen = useRef<Set<number> | null>(null);
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (list === before.current) return;
    const fresh = seen.current ? list.filter((a) => !seen.current!.has(a.id) && a.state === 'open') : [];
    seen.current = new Set([...(seen.current ?? []), ...list.map((a) => a.id)]);
    // With its number: the same title again (the incident back after it was resolved) is new text, so it is read out.
    if (fresh.length === 1) setSaid(`New anomaly #${fresh[0]!.id}, ${fresh[0]!.severity}: ${fresh[0]!.title}`);
    else if (fresh.length > 1) setSaid(`${fresh.length} new anomalies, the newest #${fresh[0]!.id}, ${fresh[0]!.severity}: ${fresh[0]!.title}`);
  }, [list]);
  return said;
}
