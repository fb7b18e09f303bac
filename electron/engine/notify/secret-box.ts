/**
 * Encrypts secrets at rest. The Electron shell injects one backed by safeStorage (the OS
 * keychain); headless hosts use PlainSecretBox and rely on the secrets file being
 * readable by the user only (mode 0600).
 */
export interface SecretBox {
  /** Recorded with each secret, so a secret stored by another box is recognised. */
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export class PlainSecretBox implements SecretBox {
  readonly kind = 'plain';
  encrypt(plain: string): string {
    return plain;
  }
  decrypt(stored: string): string {
    return stored;
  }
}
