import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/index.js';
import { provideApi } from './stores/api-context.js';
import { useConnection } from './stores/connection.js';
import { useEvents } from './stores/events.js';
import { useSources } from './stores/sources.js';
import { useAnomalies } from './stores/anomalies.js';
import { useChannels } from './stores/channels.js';
import { useUi } from './stores/ui.js';
import { useConfig } from './stores/config.js';
import { App } from './features/layout/App.js';
import { keepFocus } from './features/layout/focus.js';
import './styles.css';

const api = createApi((up, refused) => {
  useConnection.getState().setConnected(up, refused);
  if (up) {
    // (Re)connected: reload what may have changed while the link was down.
    void useSources.getState().load();
    useEvents.getState().reconnected();
    void api.call('app.info', {}).then((info) => useConnection.getState().setInfo(info));
    void useAnomalies.getState().load();
    // Deliveries made while the link was down were told to no one: the tab showed none.
    if (useUi.getState().tab === 'notifications') void useChannels.getState().load();
    // A draft in the Config view stays (a dropped link, a server restarted under it).
    void useConfig.getState().reconnected();
  }
});
provideApi(api);
api.on('events.appended', (events) => useEvents.getState().append(events));
api.on('events.skipped', ({ count }) => useEvents.getState().skipped(count));
api.on('sources.changed', (sources) => {
  useSources.getState().set(sources);
  // A source the Live view was filtered to was removed: show all sources again.
  const f = useEvents.getState().filter;
  if (f.source && !sources.some((s) => s.config.name === f.source)) void useEvents.getState().setFilter({ ...f, source: '' });
});
// vigil.yml edited by hand: into something invalid (the last good config stays), or valid again.
api.on('config.invalid', (errors) => useConfig.getState().fileChanged(errors));
api.on('config.changed', () => useConfig.getState().fileChanged([]));
api.on('anomalies.changed', () => void useAnomalies.getState().load());
api.on('notifications.changed', () => {
  if (useUi.getState().tab === 'notifications') void useChannels.getState().load();
});
// A click on an OS toast opens Vigil at that anomaly.
api.on('notify.toastClicked', ({ anomalyId }) => {
  useUi.getState().setTab('anomalies');
  void useAnomalies.getState().select(anomalyId);
});

keepFocus();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
