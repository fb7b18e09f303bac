// channels.upsert / channels.remove: edits vigil.yml through the YAML document (comments
// kept) and moves secrets into the secret store first, so they never reach the file.
import { isSeq, type YAMLSeq } from 'yaml';
import type { ConfigSetResult } from '../../../shared/contract.js';
import type { AnyChannelConfig } from '../../../shared/types.js';
import { deleteItem, type ConfigFile } from '../config/config-file.js';
import { keepMaskedSecrets, ownSecretNames, storeSecrets } from './channel-secrets.js';
import type { SecretStore } from './secret-store.js';

function channelsOf(config: ConfigFile): AnyChannelConfig[] {
  return config.config.channels as AnyChannelConfig[];
}

export async function upsertChannel(config: ConfigFile, secrets: SecretStore, req: { channel: AnyChannelConfig; storeSecrets?: boolean }): Promise<ConfigSetResult> {
  const existing = channelsOf(config).find((c) => c.name === req.channel.name);
  let channel = keepMaskedSecrets(req.channel, existing, secrets);
  if (req.storeSecrets !== false) channel = storeSecrets(channel, secrets);
  const plain = JSON.parse(JSON.stringify(channel)) as AnyChannelConfig;
  return config.edit((doc, cfg) => {
    const i = cfg.channels.findIndex((c) => c.name === plain.name);
    let seq = doc.get('channels');
    if (!isSeq(seq)) {
      doc.set('channels', doc.createNode([]));
      seq = doc.get('channels');
    }
    const list = seq as YAMLSeq;
    list.flow = false; // `channels: []` would otherwise grow as one long line
    if (i >= 0) list.set(i, doc.createNode(plain));
    else list.add(doc.createNode(plain));
  });
}

export async function removeChannel(config: ConfigFile, secrets: SecretStore, name: string): Promise<ConfigSetResult> {
  const existing = channelsOf(config).find((c) => c.name === name);
  if (!existing) return { ok: false, errors: [{ key: 'channels', reason: `no channel named "${name}"` }] };
  const r = await config.edit((doc, cfg) => {
    deleteItem(doc, 'channels', cfg.channels.findIndex((c) => c.name === name));
  });
  if (r.ok) for (const s of ownSecretNames(existing)) secrets.remove(s);
  return r;
}
