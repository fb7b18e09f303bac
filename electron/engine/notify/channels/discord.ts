// Discord webhook: one embed per anomaly within Discord's limits (content 2000, title 256,
// description 4096, field value 1024, footer 2048, 10 embeds, 6000 characters across all
// embeds), cut with an ellipsis; mentions in log text never ping anyone.
import type { DiscordChannelConfig } from '../../../../shared/types.js';
import { byImportance, isoTime, messageTitle, SEVERITY_COLOR, SEVERITY_EMOJI, SEVERITY_LABEL, worstSeverity } from '../message.js';
import { discordEscape, truncate } from '../truncate.js';
import type { ChannelSender, MessageItem, NotificationMessage, SendContext } from '../types.js';
import { sendJson } from './http.js';

export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, fieldName: 256, fieldValue: 1024, footer: 2048, embeds: 10, total: 6000 } as const;

interface Embed {
  title: string;
  description?: string;
  color: number;
  fields?: { name: string; value: string; inline: boolean }[];
  footer?: { text: string };
  timestamp?: string;
}

export interface DiscordPayload {
  username?: string;
  content: string;
  embeds: Embed[];
  allowed_mentions: { parse: never[] };
}

/** Characters Discord counts toward its 6000 limit. */
export function embedSize(e: Embed): number {
  return e.title.length + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

export function discordPayload(msg: NotificationMessage, username?: string): DiscordPayload {
  const resolved = msg.kind === 'resolved';
  const icon = resolved ? '✅' : SEVERITY_EMOJI[worstSeverity(msg.items)];
  const items = byImportance(msg.items);
  const shown = items.length > DISCORD_LIMITS.embeds ? items.slice(0, DISCORD_LIMITS.embeds - 1) : items;
  const embeds: Embed[] = [];
  let budget: number = DISCORD_LIMITS.total;
  for (const item of shown) {
    const e = embedFor(item, msg, budget);
    if (!e) break;
    embeds.push(e);
    budget -= embedSize(e);
  }
  const omitted = items.length - embeds.length;
  if (omitted > 0 && budget >= 40) {
    const titles = items.slice(embeds.length).map((i) => `• ${discordEscape(i.anomaly.title)}`).join('\n');
    const title = truncate(`…and ${omitted} more`, DISCORD_LIMITS.title);
    embeds.push({ title, description: truncate(titles, Math.min(DISCORD_LIMITS.description, budget - title.length)), color: SEVERITY_COLOR.low });
  }
  return {
    ...(username ? { username } : {}),
    content: truncate(`${icon} **${discordEscape(messageTitle(msg))}**${omitted > 0 && embeds.length < items.length ? ` (${items.length} in all)` : ''}`, DISCORD_LIMITS.content),
    embeds,
    allowed_mentions: { parse: [] },
  };
}

/** The embed for one anomaly, its description shortened to fit `budget`; null if even that cannot fit. */
function embedFor(item: MessageItem, msg: NotificationMessage, budget: number): Embed | null {
  const a = item.anomaly;
  const tag = item.change === 'resolved' || a.state === 'resolved' ? 'RESOLVED' : SEVERITY_LABEL[a.severity];
  const field = (name: string, value: string) => ({ name, value: truncate(value || '—', DISCORD_LIMITS.fieldValue), inline: true });
  const e: Embed = {
    title: truncate(`[${tag}] ${a.title}`, DISCORD_LIMITS.title),
    color: item.change === 'resolved' || a.state === 'resolved' ? 0x16a34a : SEVERITY_COLOR[a.severity],
    fields: [field('Source', a.source), field('Category', a.category), field('Detector', a.detector), field('Count', String(a.count))],
    footer: { text: truncate(`Vigil · rule ${msg.rule} · anomaly #${a.id}`, DISCORD_LIMITS.footer) },
    timestamp: isoTime(a.lastTs),
  };
  const fixed = embedSize(e);
  if (fixed > budget) return null;
  const evidence = item.evidence.length ? `\n\`\`\`\n${item.evidence.join('\n').replace(/```/g, 'ˋˋˋ')}\n\`\`\`` : '';
  const full = `${a.message && a.message !== a.title ? discordEscape(a.message) : ''}${evidence}`.trim();
  if (full) {
    const room = Math.min(DISCORD_LIMITS.description, budget - fixed);
    if (room >= 20) e.description = closeFence(truncate(full, room));
  }
  return e;
}

/** A description cut inside a code block gets the block closed, within the same length. */
function closeFence(text: string): string {
  const odd = (t: string) => (t.split('```').length - 1) % 2 === 1;
  if (!odd(text)) return text;
  const cut = truncate(text, text.length - 4);
  return odd(cut) ? `${cut}\n\`\`\`` : cut;
}

export const discordSender: ChannelSender = {
  type: 'discord',
  resolvedByDefault: true,
  async send(msg: NotificationMessage, ctx: SendContext) {
    const config = ctx.config as DiscordChannelConfig;
    return sendJson(config.url, JSON.stringify(discordPayload(msg, config.username)), { headers: { 'x-vigil-delivery': ctx.deliveryKey }, signal: ctx.signal });
  },
};
