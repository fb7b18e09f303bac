// E-mail over SMTP (nodemailer). STARTTLS is required by default whenever a password is
// sent; certificates are verified unless tls.rejectUnauthorized is false.
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { EmailChannelConfig, ReportFile } from '../../../../shared/types.js';
import { messageTitle, plainText, SEVERITY_LABEL, worstSeverity } from '../message.js';
import { Redactor } from '../../report/redact.js';
import { truncate } from '../truncate.js';
import { DeliveryError, type ChannelSender, type NotificationMessage, type SendContext } from '../types.js';

export function emailSubject(msg: NotificationMessage, prefix = '[Vigil]'): string {
  const tag = msg.kind === 'resolved' ? '' : `[${SEVERITY_LABEL[worstSeverity(msg.items)]}] `;
  return truncate(`${prefix} ${tag}${messageTitle(msg)}`.replace(/[\r\n]+/g, ' '), 200);
}

export function emailText(msg: NotificationMessage): string {
  return `${plainText(msg)}\n\n-- \nVigil, rule "${msg.rule}", channel "${msg.channel}"\n`;
}

/**
 * `attachReport`: an incident report on each anomaly of the message, written when the mail
 * goes (a retry carries the report as it is then). A report that cannot be written leaves the
 * mail without it rather than holding the notice back.
 */
function reportAttachments(msg: NotificationMessage, c: EmailChannelConfig, ctx: SendContext): { files: { filename: string; content: string; contentType: string }[]; left: string[] } {
  const files: { filename: string; content: string; contentType: string }[] = [];
  const left: string[] = [];
  if (!c.attachReport || !ctx.report || msg.test) return { files, left };
  const seen = new Set<number>();
  let bytes = 0;
  for (const item of msg.items) {
    if (seen.has(item.anomaly.id)) continue;
    seen.add(item.anomaly.id);
    let file: ReportFile | null = null;
    try {
      file = ctx.report({ id: item.anomaly.id, format: c.attachReport, redact: c.redactReport ?? false });
    } catch {
      file = null;
    }
    if (!file) continue;
    // Mail servers refuse a message past their size (often 10 MB, some 5): a notice must
    // not be refused for its attachments. What does not fit is named in the text instead.
    const size = Buffer.byteLength(file.text);
    if (bytes + size > MAX_ATTACHED_BYTES) {
      left.push(`${file.filename} (${(size / 1048576).toFixed(1)} MB; \`vigil report ${item.anomaly.id}\` writes it)`);
      continue;
    }
    bytes += size;
    files.push({ filename: file.filename, content: file.text, contentType: file.mimeType });
  }
  return { files, left };
}

/** Reports attached to one mail, at most (base64 makes them a third larger on the wire). */
export const MAX_ATTACHED_BYTES = 2 * 1024 * 1024;

export const emailSender: ChannelSender = {
  type: 'email',
  resolvedByDefault: true,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const c = ctx.config as EmailChannelConfig;
    const to = ctx.recipients?.length ? ctx.recipients : (c.to ?? []);
    if (!to.length) throw new DeliveryError('no recipients: set them in the app or as `to` in vigil.yml', { retryable: false });
    const starttls = c.starttls ?? (c.password ? 'required' : 'opportunistic');
    const secure = !!c.secure;
    const timeout = ctx.timeoutMs;
    const transport = createTransport({
      host: c.host,
      port: c.port ?? (secure ? 465 : 587),
      secure,
      requireTLS: !secure && starttls === 'required',
      ignoreTLS: !secure && starttls === 'off',
      ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
      tls: {
        rejectUnauthorized: c.tls?.rejectUnauthorized ?? true,
        ...(c.tls?.servername ? { servername: c.tls.servername } : {}),
        ...(c.tls?.minVersion ? { minVersion: c.tls.minVersion } : {}),
        ...(c.tls?.caFile ? { ca: readFileSync(c.tls.caFile) } : {}),
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    const reports = reportAttachments(msg, c, ctx);
    // redactReport: the mail is what leaves the machine, its text as much as its report.
    const redactor = c.redactReport ? new Redactor() : null;
    const body = redactor ? redactor.text(emailText(msg)) : emailText(msg);
    const text = reports.left.length ? `${body}\nNot attached (too large for one mail): ${reports.left.join('; ')}\n` : body;
    const subject = redactor ? redactor.text(emailSubject(msg, c.subjectPrefix)) : emailSubject(msg, c.subjectPrefix);
    try {
      const info = await transport.sendMail({
        from: c.from,
        to,
        subject,
        text,
        // The same Message-ID on every retry lets mail clients fold a duplicate.
        messageId: `<vigil-${ctx.deliveryKey}@vigil.invalid>`,
        headers: { 'X-Vigil-Delivery': ctx.deliveryKey },
        attachments: reports.files,
        // Ends the connection when the request is cut off (its timeout, a stop). The
        // transport's close() does not: a server that took the mail and never answered held
        // a stop for the whole socket timeout.
        signal: ctx.signal,
      });
      if (info.rejected?.length) return refusedRecipients(info, to.length);
      return {};
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw smtpError(err as Error & { code?: string; responseCode?: number; response?: string }, ctx.signal);
    } finally {
      transport.close();
    }
  },
};

type Refusal = { recipient?: string; responseCode?: number; response?: string };

/**
 * Some recipients refused at RCPT. For now (4xx) for any: the mail is sent again later, to
 * all of them (those who have it get the same Message-ID, which mail clients fold), as a
 * refusal for now must not lose the notice for that person. For good (5xx) only: sent, and
 * the refusal kept with the attempt and logged.
 */
function refusedRecipients(info: { accepted?: unknown[]; rejected?: unknown[]; rejectedErrors?: Refusal[] }, total: number): { note?: string } {
  const errors = info.rejectedErrors ?? [];
  const who = (info.rejected ?? []).map(String);
  const said = (e: Refusal | undefined) => (e?.response ? ` (${e.response.slice(0, 120)})` : e?.responseCode ? ` (${e.responseCode})` : '');
  const codeOf = (r: string) => errors.find((e) => e.recipient === r);
  const list = who.map((r) => `${r}${said(codeOf(r))}`).join(', ');
  const temporary = errors.filter((e) => e.responseCode !== undefined && e.responseCode < 500);
  if (temporary.length) {
    throw new DeliveryError(`${who.length} of ${total} recipients were refused for now: ${list}`, { retryable: true, statusCode: temporary[0]!.responseCode! });
  }
  if (!info.accepted?.length) throw new DeliveryError(`every recipient was refused: ${list}`, { retryable: false, ...(errors[0]?.responseCode ? { statusCode: errors[0].responseCode } : {}) });
  return { note: `${who.length} of ${total} recipients were refused: ${list}` };
}

/** 5xx replies and refused logins are permanent; 4xx replies and network trouble are retried. */
function smtpError(err: Error & { code?: string; responseCode?: number; response?: string }, signal: AbortSignal): DeliveryError {
  if (signal.aborted) return new DeliveryError('timed out or cancelled while talking to the SMTP server', { retryable: true });
  const reply = err.response ? `: ${err.response.slice(0, 300)}` : '';
  // A login refused for now (454: the server's auth backend is down) is tried again.
  if (err.code === 'EAUTH') return new DeliveryError(`the SMTP server refused the login${reply}`, { retryable: !!err.responseCode && err.responseCode < 500, ...(err.responseCode ? { statusCode: err.responseCode } : {}) });
  if (err.responseCode && err.responseCode >= 500) return new DeliveryError(`SMTP ${err.responseCode}${reply}`, { retryable: false, statusCode: err.responseCode });
  if (err.responseCode) return new DeliveryError(`SMTP ${err.responseCode}${reply}`, { retryable: true, statusCode: err.responseCode });
  return new DeliveryError(`SMTP ${err.code ?? 'error'}: ${err.message.slice(0, 300)}`, { retryable: true });
}
