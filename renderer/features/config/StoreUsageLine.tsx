import { useEffect, useState } from 'react';
import { formatBytes } from '../../../shared/size.js';
import type { StoreUsage } from '../../../shared/types.js';
import { api } from '../../stores/api-context.js';

/** How full the store is, its bound and why, and what retention removed (config `store:`). */
export function StoreUsageLine({ refresh }: { refresh: unknown }) {
  const [u, setU] = useState<StoreUsage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const get = () =>
      void api()
        .call('store.usage', {})
        .then(
          (r) => live && (setU(r), setError(null)),
          (err: Error) => live && setError(err.message),
        );
    get();
    const t = setInterval(get, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [refresh]);
  if (error)
    return (
      <div className="note small error" role="alert" data-testid="store-usage">
        The store&apos;s usage could not be read: {error}
      </div>
    );
  if (!u) return null;
  return (
    <div className="note small" data-testid="store-usage">
      Store: {formatBytes(u.usedBytes)} of {formatBytes(u.limitBytes)}, the bound set by <code>{u.limitReason}</code>
      {u.oldestStoredAt !== null && <> · oldest line stored {new Date(u.oldestStoredAt).toLocaleString()}</>}
      {u.removedRecords > 0 && (
        <>
          {' '}· {u.removedRecords.toLocaleString()} older lines removed (last: {u.lastRemovedWhy}; each removal is a row of <code>retention_log</code>)
        </>
      )}
      {u.failing && (
        <div className="error" role="alert" data-testid="store-failing">
          Older lines cannot be removed, so the store grows past its bound: {u.failing}
        </div>
      )}
    </div>
  );
}
