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
  const tabs: [Tab, string][] = [
    ['live', 'Live'],
    ['anomalies', open ? `Anomalies (${open}${open >= OPEN_COUNT_MAX ? '+' : ''})` : 'Anomalies'],
    ['notifications', 'Notifications'],
    ['query', 'SQL'],
    ['config', 'Config'],
  ];
  return (
    <div className="app">
      <header className="topbar">
        <span className="logo">◉ Vigil</span>
        <span className={connected ? 'conn up' : 'conn down'}>
          {connected ? 'connected' : refused ? 'token refused' : 'reconnecting…'}
        </span>
        <nav className="tabs" role="tablist">
          {tabs.map(([id, label]) => (
            <button key={id} role="tab" aria-selected={tab === id} className={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
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
        <div className="main-col">
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
