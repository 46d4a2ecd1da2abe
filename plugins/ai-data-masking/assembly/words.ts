// Deny words: a prompt or answer that contains one is refused. Matching is by substring (Higress
// cuts the text into words with jieba first, so an ASCII word inside a longer word matches here
// and not there: stricter, never looser).

/**
 * The built-in list (`system_deny: true`). Higress embeds a third-party dictionary of tens of
 * thousands of Chinese words; Sluice ships this short list of its own instead, so a configuration
 * that relies on the dictionary's breadth needs its words in `deny_words`.
 */
export const SYSTEM_WORDS: Array<string> = [
  "制造炸弹", "炸弹制作", "自制炸药", "买卖枪支", "枪支弹药出售", "毒品交易", "贩卖毒品", "冰毒制作",
  "代开发票", "洗钱服务", "办理假证", "假币出售", "人体器官买卖", "黑客攻击服务", "盗取账号",
  "how to make a bomb", "buy illegal weapons", "sell stolen credit cards",
];

export class DenyWords {
  words: Array<string> = [];

  /** Adds the trimmed, non-empty words of a list (Higress trims them too). */
  add(list: Array<string>): void {
    for (let i = 0; i < list.length; i++) {
      const w = list[i].trim();
      if (w.length > 0 && !this.words.includes(w)) this.words.push(w);
    }
  }

  get empty(): bool { return this.words.length == 0; }

  /** The first word found in text, or null. */
  find(text: string): string | null {
    for (let i = 0; i < this.words.length; i++) if (text.includes(this.words[i])) return this.words[i];
    return null;
  }
}

let system: DenyWords | null = null;

export function systemWords(): DenyWords {
  let s = system;
  if (s === null) {
    s = new DenyWords();
    s.add(SYSTEM_WORDS);
    system = s;
  }
  return s;
}
