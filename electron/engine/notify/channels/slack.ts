// Slack incoming webhook: Block Kit within Slack's limits (header 150, section text 3000,
// 50 blocks), text escaped so a log line cannot mention @channel or forge links.
import type { NotificationMessage, SendContext, ChannelSender, MessageItem } from '../types.js';
import type { SlackChannelConfig } from '../../../../shared/types.js';
import { byImportance, isoTime, messageTitle, SEVERITY_EMOJI, SEVERITY_LABEL, worstSeverity } from '../message.js';
import { slackEscape, truncate } from '../truncate.js';
import { sendJson } from './http.js';

export const SLACK_LIMITS = { header: 150, section: 3000, blocks: 50, text: 3000 } as const;

type Block = Record<string, unknown>;

export function slackPayload(msg: NotificationMessage): { text: string; blocks: Block[] } {
  const resolved = msg.kind === 'resolved';
  const icon = resolved ? '✅' : SEVERITY_EMOJI[worstSeverity(msg.items)];
  const title = messageTitle(msg);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(`${icon} ${title}`, SLACK_LIMITS.header), emoji: true } }];
  const items = byImportance(msg.items);
  // Room for the header, the context line and a "more" line.
  const room = SLACK_LIMITS.blocks - 3;
  const shown = items.length > room + 1 ? items.slice(0, room) : items;
  for (const item of shown) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: sectionText(item) } });
  if (shown.length < items.length) {
    const rest = items.slice(shown.length).map((i) => `• ${i.anomaly.title}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: slackEscape(`…and ${items.length - shown.length} more:\n${rest}`, SLACK_LIMITS.section) } });
  }
  const ids = msg.items.map((i) => `#${i.anomaly.id}`).join(' ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`Vigil · rule ${msg.rule} · anomaly ${ids}`, SLACK_LIMITS.section) }] });
  return { text: slackEscape(title, SLACK_LIMITS.text), blocks };
}

function sectionText(item: MessageItem): string {
  const a = item.anomaly;
  const tag = item.change === 'resolved' || a.state === 'resolved' ? 'RESOLVED' : SEVERITY_LABEL[a.severity];
  const head =
    `*${slackEscape(`[${tag}] ${a.title}`, 300)}*\n` +
    (a.message && a.message !== a.title ? `${slackEscape(a.message, 1200)}\n` : '') +
    `_${slackEscape(`${a.source}${a.category ? ` / ${a.category}` : ''} · ${a.detector} · ×${a.count} · last ${isoTime(a.lastTs)}`, 400)}_`;
  if (!item.evidence.length) return head;
  const fence = '\n```\n';
  const budget = SLACK_LIMITS.section - head.length - fence.length * 2;
  if (budget < 20) return head;
  // A ``` inside the evidence would close the code block early.
  const evidence = item.evidence.join('\n').replace(/```/g, 'ˋˋˋ');
  return `${head}${fence}${slackEscape(evidence, budget)}${fence.trimEnd()}`;
}

export const slackSender: ChannelSender = {
  type: 'slack',
  resolvedByDefault: true,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const config = ctx.config as SlackChannelConfig;
    return sendJson(config.url, JSON.stringify(slackPayload(msg)), { headers: { 'x-vigil-delivery': ctx.deliveryKey }, signal: ctx.signal });
  },
};
