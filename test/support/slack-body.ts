// Reading a Slack payload as Slack shows it: the header, and each rich_text block's text
// (its sections' and preformatted parts' text elements, in order).
export interface SlackText { type: string; text: string; style?: { bold?: boolean; italic?: boolean } }
export interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; elements?: SlackText[]; text?: string }[] }[];
}

/** The text of every rich_text block, one string each: its parts' text, joined as they come. */
export function richTexts(body: SlackBody): string[] {
  return body.blocks.filter((b) => b.type === 'rich_text').map((b) => b.elements!.map((e) => e.elements!.map((t) => t.text).join('')).join(''));
}
