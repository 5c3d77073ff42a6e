/**
 * Size limits: one message per run and channel, never split. While the rendered message is over the
 * vendor's limit, the longest section (in bytes of what it still shows) gives up items from its end
 * (the least urgent: sections are sorted most urgent first) and says "…and N more".
 */

/**
 * Returns how many items of each section to show so that `measure(shown)` fits `limit`, or undefined
 * when even showing none does not fit. `itemBytes[s][i]` estimates item i of section s; `measure` is the
 * truth (the bytes of the final body), so the estimate only decides how much to drop per round.
 */
export function fitSections(itemBytes: ReadonlyArray<readonly number[]>, measure: (shown: readonly number[]) => number, limit: number): number[] | undefined {
  const shown = itemBytes.map((items) => items.length);
  // Every round drops at least one item, so the loop is bounded by the number of items.
  for (;;) {
    const size = measure(shown);
    if (size <= limit) return shown;
    let longest = -1;
    let longestBytes = 0;
    shown.forEach((count, s) => {
      const bytes = sum(itemBytes[s]!.slice(0, count));
      if (count > 0 && bytes > longestBytes) [longest, longestBytes] = [s, bytes];
    });
    if (longest < 0) return undefined;
    let over = size - limit;
    do {
      shown[longest]!--;
      over -= itemBytes[longest]![shown[longest]!]!;
    } while (over > 0 && shown[longest]! > 0);
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function leftOutLine(count: number): string {
  return `…and ${count} more`;
}
