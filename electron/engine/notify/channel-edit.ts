// channels.upsert / channels.remove: edits vigil.yml through the YAML document (comments
// kept) and moves secrets into the secret store first, so they never reach the file.
import { isSeq, type YAMLSeq } from 'yaml';
import type { ConfigSetResult } from '../../../shared/contract.js';
import type { AnyChannelConfig } from '../../../shared/types.js';
import { deleteItem, type ConfigFile } from '../config/config-file.js';
import { setInPlace } from '../config/yaml-edit.js';
import { keepMaskedSecrets, ownSecretNames, storeSecrets } from './channel-secrets.js';
import type { SecretStore } from './secret-store.js';

function channelsOf(config: ConfigFile): AnyChannelConfig[] {
  return config.config.channels as AnyChannelConfig[];
}

export async function upsertChannel(config: ConfigFile, secrets: SecretStore, req: { channel: AnyChannelConfig; storeSecrets?: boolean }): Promise<ConfigSetResult> {
  const existing = channelsOf(config).find((c) => c.name === req.channel.name);
  let channel = keepMaskedSecrets(req.channel, existing, secrets);
  let undo = () => undefined as void;
  if (req.storeSecrets !== false) ({ config: channel, undo } = storeSecrets(channel, secrets));
  const plain = JSON.parse(JSON.stringify(channel)) as AnyChannelConfig;
  const r = await config.edit((doc, cfg) => {
    const i = cfg.channels.findIndex((c) => c.name === plain.name);
    let seq = doc.get('channels');
    if (!isSeq(seq)) {
      doc.set('channels', doc.createNode([]));
      seq = doc.get('channels');
    }
    const list = seq as YAMLSeq;
    list.flow = false; // `channels: []` would otherwise grow as one long line
    // An existing channel is changed where it changed: its comments and key order stay.
    if (i >= 0) setInPlace(doc, ['channels', i], plain);
    else list.add(doc.createNode(plain));
  });
  // Refused (the file is invalid, a name taken): the secrets are what they were, or a
  // running channel would send to what was refused.
  if (!r.ok) undo();
  return r;
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
