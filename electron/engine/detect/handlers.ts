// The detection calls of the contract, for Engine.makeHandlers to spread in.
import type { Handlers } from '../../../shared/contract.js';
import type { ConfigFile } from '../config/config-file.js';
import { setInPlace } from '../config/yaml-edit.js';
import type { DetectionService } from './service.js';

type DetectionCalls =
  | 'anomalies.list'
  | 'anomalies.get'
  | 'anomalies.ack'
  | 'anomalies.resolve'
  | 'anomalies.snooze'
  | 'anomalies.snoozes'
  | 'anomalies.unsnooze'
  | 'detect.band'
  | 'detect.settings'
  | 'detect.configure'
  | 'rules.set';

/** `service` is read at call time: the engine attaches it after building its handlers. Requests arrive validated (defaults applied). */
export function detectionHandlers(service: () => DetectionService, config: ConfigFile): Pick<Handlers, DetectionCalls> {
  return {
    'anomalies.list': (req) => service().list(req as never),
    'anomalies.get': (req) => service().get(req as never),
    'anomalies.ack': ({ id }) => service().acknowledge(id),
    'anomalies.resolve': ({ id }) => service().resolve(id),
    'anomalies.snooze': (req) => service().snooze(req),
    'anomalies.snoozes': () => service().snoozes(),
    'anomalies.unsnooze': ({ id }) => service().unsnooze(id),
    'detect.band': (req) => service().band(req as never),
    'detect.settings': ({ source }) => service().settings(source),
    'detect.configure': ({ source, settings }) =>
      config.edit((doc, cfg) => {
        // Changed where it changed: the comments, anchors and order in the file stay.
        const value = settings === null ? null : (JSON.parse(JSON.stringify(settings)) as unknown);
        if (source === undefined) {
          if (value === null) doc.delete('detection');
          else setInPlace(doc, ['detection'], value);
          return;
        }
        const i = cfg.sources.findIndex((s) => s.name === source);
        if (i < 0) return `no source named "${source}"`;
        if (value === null) doc.deleteIn(['sources', i, 'detectors']);
        else setInPlace(doc, ['sources', i, 'detectors'], value);
      }),
    'rules.set': ({ rules }) =>
      config.edit((doc) => {
        setInPlace(doc, ['rules'], JSON.parse(JSON.stringify(rules)));
      }),
  };
}
