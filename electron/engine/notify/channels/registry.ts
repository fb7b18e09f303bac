import type { ChannelType } from '../../../../shared/types.js';
import type { ChannelSender, Toaster } from '../types.js';
import { discordSender } from './discord.js';
import { emailSender } from './email.js';
import { n8nSender } from './n8n.js';
import { slackSender } from './slack.js';
import { toastSender } from './toast.js';
import { webhookSender } from './webhook.js';

/** One sender per channel type. */
export function channelSenders(toaster: Toaster, onToastClick: (anomalyId: number) => void): Record<ChannelType, ChannelSender> {
  return {
    toast: toastSender(toaster, onToastClick),
    n8n: n8nSender,
    slack: slackSender,
    discord: discordSender,
    webhook: webhookSender,
    email: emailSender,
  };
}
