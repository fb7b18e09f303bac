// Slack incoming webhook: Block Kit within Slack's limits (header 150, 50 blocks; each
// anomaly's text kept to 3000 units, as a section's). Each anomaly is a rich_text block:
// its text is literal there (no mrkdwn), so `*`, `_`, `~` or `<!channel>` in a log line
// show as written, cannot break the bold around a title, mention anyone or forge a link.
// The fallback `text` (notifications, clients without blocks) is mrkdwn, escaped.
import type { ContextBlock, HeaderBlock, KnownBlock, RichTextBlock, RichTextText } from '@slack/types';
import type { NotificationMessage, SendContext, ChannelSender, MessageItem } from '../types.js';
import type { SlackChannelConfig } from '../../../../shared/types.js';
import { byImportance, isoTime, messageTitle, SEVERITY_EMOJI, SEVERITY_LABEL, worstSeverity } from '../message.js';
import { slackEscape, truncate } from '../truncate.js';
import { sendJson } from './http.js';

export const SLACK_LIMITS = { header: 150, section: 3000, blocks: 50, text: 3000 } as const;

export function slackPayload(msg: NotificationMessage): { text: string; blocks: KnownBlock[] } {
  const resolved = msg.kind === 'resolved';
  const icon = resolved ? '✅' : SEVERITY_EMOJI[worstSeverity(msg.items)];
  const title = messageTitle(msg);
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: truncate(`${icon} ${title}`, SLACK_LIMITS.header), emoji: true } };
  const blocks: KnownBlock[] = [header];
  const items = byImportance(msg.items);
  // Room for the header, the context line and a "more" line.
  const room = SLACK_LIMITS.blocks - 3;
  const shown = items.length > room + 1 ? items.slice(0, room) : items;
  for (const item of shown) blocks.push(itemBlock(item));
  if (shown.length < items.length) {
    const rest = items.slice(shown.length).map((i) => `• ${i.anomaly.title}`).join('\n');
    blocks.push(richText([{ type: 'text', text: truncate(`…and ${items.length - shown.length} more:\n${rest}`, SLACK_LIMITS.section) }]));
  }
  const ids = msg.items.map((i) => `#${i.anomaly.id}`).join(' ');
  const context: ContextBlock = { type: 'context', elements: [{ type: 'plain_text', text: truncate(`Vigil · rule ${msg.rule} · anomaly ${ids}`, SLACK_LIMITS.section), emoji: false }] };
  blocks.push(context);
  return { text: slackEscape(title, SLACK_LIMITS.text), blocks };
}

function richText(section: RichTextText[], preformatted?: string): RichTextBlock {
  const block: RichTextBlock = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: section }] };
  if (preformatted) block.elements.push({ type: 'rich_text_preformatted', elements: [{ type: 'text', text: preformatted }] });
  return block;
}

/** The anomaly in bold, its message, a line of where and how often in italics, the evidence preformatted. */
function itemBlock(item: MessageItem): RichTextBlock {
  const a = item.anomaly;
  const tag = item.change === 'resolved' || a.state === 'resolved' ? 'RESOLVED' : SEVERITY_LABEL[a.severity];
  const parts: RichTextText[] = [{ type: 'text', text: truncate(`[${tag}] ${a.title}`, 300), style: { bold: true } }];
  if (a.message && a.message !== a.title) parts.push({ type: 'text', text: `\n${truncate(a.message, 1200)}` });
  parts.push({ type: 'text', text: '\n' }, { type: 'text', text: truncate(`${a.source}${a.category ? ` / ${a.category}` : ''} · ${a.detector} · ×${a.count} · last ${isoTime(a.lastTs)}`, 400), style: { italic: true } });
  const used = parts.reduce((n, p) => n + p.text.length, 0);
  const budget = SLACK_LIMITS.section - used;
  const evidence = item.evidence.length && budget >= 20 ? truncate(item.evidence.join('\n'), budget) : undefined;
  return richText(parts, evidence);
}

export const slackSender: ChannelSender = {
  type: 'slack',
  resolvedByDefault: true,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const config = ctx.config as SlackChannelConfig;
    return sendJson(config.url, JSON.stringify(slackPayload(msg)), { headers: { 'x-vigil-delivery': ctx.deliveryKey }, signal: ctx.signal });
  },
};
