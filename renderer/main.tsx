import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/index.js';
import { provideApi } from './stores/api-context.js';
import { useConnection } from './stores/connection.js';
import { useEvents } from './stores/events.js';
import { useSources } from './stores/sources.js';
import { App } from './features/layout/App.js';
import './styles.css';

const api = createApi((up) => {
  useConnection.getState().setConnected(up);
  if (up) {
    // (Re)connected: reload what may have changed while the link was down.
    void useSources.getState().load();
    void useEvents.getState().load();
    void api.call('app.info', {}).then((info) => useConnection.getState().setInfo(info));
  }
});
provideApi(api);
api.on('events.appended', (events) => useEvents.getState().append(events));
api.on('sources.changed', (sources) => useSources.getState().set(sources));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
