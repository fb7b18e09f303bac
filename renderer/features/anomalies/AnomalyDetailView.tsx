import { Fragment, type CSSProperties } from 'react';
import type { Anomaly } from '../../../shared/types.js';
import { snoozesOf, useAnomalies } from '../../stores/anomalies.js';
import { fmtClock, fmtTime } from '../format.js';
import { copyLines, LineText, timeColumn } from '../live/LineText.js';
import { unavailable } from '../layout/focus.js';
import { ReportActions } from './ReportActions.js';

const HOUR = 3_600_000;
/** Characters of a context line shown until asked for the rest. */
const CONTEXT_SHOWN = 400;

export function AnomalyDetailView() {
  const { selected, detail, history, snoozes, busy, ack, resolve, snooze, unsnooze, select } = useAnomalies();
  if (!detail) return <div className="empty">{selected === null ? 'Select an anomaly to see its evidence.' : 'Loading…'}</div>;
  const a: Anomaly = detail.anomaly;
  const holding = snoozesOf(a, snoozes);
  const snoozedUntil = holding.length ? Math.max(...holding.map((s) => s.until)) : null;
  const snoozing = busy.includes(`snooze:${a.id}`);
  return (
    <div className="anomaly-detail" data-testid="anomaly-detail" data-focus-scope>
      <div className="detail-head">
        <span className={`sev sev-${a.severity}`}>{a.severity}</span>
        <h3>{a.title}</h3>
        <div className="spacer" />
        <button className="icon" aria-label="close detail" onClick={() => void select(null)}>
          ×
        </button>
      </div>
      <p className="detail-msg">{a.message}</p>
      <dl className="facts">
        <dt>State</dt>
        <dd data-testid="anomaly-state">{a.state}</dd>
        {snoozedUntil !== null && (
          <>
            <dt>Snoozed</dt>
            <dd data-testid="anomaly-snoozed">until {fmtTime(snoozedUntil)}: its notifications hold</dd>
          </>
        )}
        <dt>Source</dt>
        <dd>{a.source}</dd>
        <dt>Detector</dt>
        <dd>{a.detector}</dd>
        <dt>Category</dt>
        <dd>{a.category}</dd>
        <dt>Records</dt>
        <dd>{a.count}</dd>
        <dt>First / last</dt>
        <dd>
          {fmtTime(a.firstTs)} — {fmtTime(a.lastTs)}
        </dd>
        {a.numbers &&
          Object.entries(a.numbers).map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd>{Number.isInteger(v) ? v : v.toFixed(2)}</dd>
            </Fragment>
          ))}
      </dl>
      <div className="row" data-focus-home>
        {a.state === 'open' && <button onClick={() => void ack(a.id)}>Acknowledge</button>}
        {a.state !== 'resolved' && <button onClick={() => void resolve(a.id)}>Resolve</button>}
        <button {...unavailable(snoozing)} onClick={() => !snoozing && void snooze(a, HOUR)}>
          Snooze 1 h
        </button>
        <button {...unavailable(snoozing)} onClick={() => !snoozing && void snooze(a, 24 * HOUR)}>
          Snooze 24 h
        </button>
        {snoozedUntil !== null && <button onClick={() => void unsnooze(a)}>Unsnooze</button>}
      </div>
      <ReportActions id={a.id} />
      <h4>
        Evidence (
        {(() => {
          const shown = detail.lines.filter((l) => l.role === 'evidence').length;
          return detail.evidenceStored > shown ? `the newest ${shown} of ${detail.evidenceStored} stored` : `${detail.evidenceStored} stored`;
        })()}
        )
      </h4>
      <div className="lines evidence" style={{ '--ts-w': timeColumn(detail.lines.map((l) => fmtClock(l.ts))) } as CSSProperties} onCopy={copyLines}>
        {detail.lines.map((l) => (
          <div key={`${l.role}-${l.id}`} className={`line lvl-${l.level ?? 'none'} role-${l.role}`} data-testid={`evidence-${l.role}`}>
            <span className="ts">{fmtClock(l.ts)}</span>
            <span className="src">{l.duplicate ? 'repeat' : l.role}</span>
            <span className="lvl">{l.level ?? l.levelText ?? ''}</span>
            <span className="msg">
              {/* Context lines are for orientation: a few lines' worth each, so they cannot bury the evidence. */}
              <LineText text={l.raw} flags={l.flags} limit={l.role === 'context' ? CONTEXT_SHOWN : undefined} />
            </span>
          </div>
        ))}
      </div>
      <h4>Notifications</h4>
      {history.length === 0 ? (
        <div className="muted">None sent for this anomaly.</div>
      ) : (
        <table className="grid">
          <tbody>
            {history.map((h) => (
              <tr key={`${h.deliveryId}-${h.channel}`}>
                <td>{h.channel}</td>
                <td>{h.kind}</td>
                <td className={`st-${h.status}`}>{h.status}</td>
                <td>{h.attempts} attempt(s)</td>
                <td className="muted">{h.error ?? fmtTime(h.sentAt ?? h.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
