// The notification calls of the contract, for Engine.makeHandlers to spread in.
import type { Handlers } from '../../../shared/contract.js';
import type { AnyChannelConfig } from '../../../shared/types.js';
import type { ConfigFile } from '../config/config-file.js';
import { removeChannel, upsertChannel } from './channel-edit.js';
import type { SecretStore } from './secret-store.js';
import type { NotificationService } from './service.js';

type NotifyCalls =
  | 'channels.list'
  | 'channels.upsert'
  | 'channels.remove'
  | 'channels.test'
  | 'notifications.history'
  | 'notifications.deadLetters'
  | 'notifications.retry'
  | 'recipients.get'
  | 'recipients.set';

/** `service` is read at call time: the engine builds it after its handlers. */
export function notifyHandlers(service: () => NotificationService, config: ConfigFile, secrets: SecretStore): Pick<Handlers, NotifyCalls> {
  return {
    'channels.list': () => service().channelViews(),
    'channels.upsert': (req) => upsertChannel(config, secrets, { channel: req.channel as AnyChannelConfig, storeSecrets: req.storeSecrets ?? true }),
    'channels.remove': ({ name }) => removeChannel(config, secrets, name),
    'channels.test': (req) => service().test(req as { name: string } | { channel: AnyChannelConfig }),
    'notifications.history': (req) => service().history(req),
    'notifications.deadLetters': (req) => service().deadLetters(req),
    'notifications.retry': (req) => service().retry(req),
    'recipients.get': ({ channel }) => service().recipients(channel),
    'recipients.set': ({ channel, recipients }) => service().setRecipients(channel, recipients),
  };
}
