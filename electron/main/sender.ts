/**
 * Is this IPC sender our own UI? Only the main frame, and only a URL under the folder the
 * app's UI was loaded from (file://…/dist/renderer/). Pure, so it is unit-tested.
 */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, appUrlPrefix: string): boolean {
  if (!isMainFrame || !frameUrl) return false;
  let u: URL;
  try {
    u = new URL(frameUrl);
  } catch {
    return false;
  }
  if (u.protocol !== 'file:') return false;
  const path = `file://${u.host}${u.pathname}`;
  return path.startsWith(appUrlPrefix) && !path.slice(appUrlPrefix.length).includes('..');
}
