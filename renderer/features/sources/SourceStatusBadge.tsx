import type { SourceStatus } from '../../../shared/types.js';

function kb(n: number): string {
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

export function SourceStatusBadge({ status }: { status: SourceStatus }) {
  const text =
    status.state === 'catching-up' && status.bytesBehind ? `catching up (${kb(status.bytesBehind)} behind)` : status.state;
  return (
    <span className={`badge st-${status.state}`} title={status.message ?? ''}>
      {text}
      {status.polling ? ' · polling' : ''}
    </span>
  );
}
