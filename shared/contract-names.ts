// The names alone, without validators, for the preload (which must stay tiny and
// dependency-free). shared/contract.ts checks at compile time that these match.
export const CALL_NAME_LIST = [
  'app.info',
  'config.get',
  'config.set',
  'sources.list',
  'sources.add',
  'sources.remove',
  'sources.setEnabled',
  'events.tail',
  'stats.rates',
  'query.run',
  'channels.list',
  'channels.upsert',
  'channels.remove',
  'channels.test',
  'notifications.history',
  'notifications.deadLetters',
  'notifications.retry',
  'recipients.get',
  'recipients.set',
] as const;

export const EVENT_NAME_LIST = ['events.appended', 'sources.changed', 'config.changed', 'tray.changed', 'notify.toastClicked', 'notifications.changed'] as const;
