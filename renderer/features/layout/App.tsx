import { useConnection } from '../../stores/connection.js';
import { LiveView } from '../live/LiveView.js';
import { RatePanel } from '../overview/RatePanel.js';
import { SourcesPanel } from '../sources/SourcesPanel.js';

export function App() {
  const { connected, info } = useConnection();
  return (
    <div className="app">
      <header className="topbar">
        <span className="logo">◉ Vigil</span>
        <span className={connected ? 'conn up' : 'conn down'}>{connected ? 'connected' : 'reconnecting…'}</span>
        <div className="spacer" />
        {info && <span className="muted small" title={info.dbPath}>{info.host === 'server' ? 'headless' : 'desktop'} · v{info.version}</span>}
      </header>
      <main className="layout">
        <SourcesPanel />
        <div className="main-col">
          <RatePanel />
          <LiveView />
        </div>
      </main>
    </div>
  );
}
