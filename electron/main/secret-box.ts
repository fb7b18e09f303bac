import { safeStorage } from 'electron';
import type { SecretBox } from '../engine/notify/secret-box.js';

/**
 * Secrets (webhook URLs with tokens, SMTP passwords) encrypted at rest with the OS keychain
 * (Keychain, DPAPI, libsecret/kwallet) through Electron's safeStorage. Where the OS offers
 * no keychain, the engine's plain box is used and the file stays mode 0600.
 */
export function safeStorageBox(): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    kind: 'electron-safeStorage',
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  };
}
