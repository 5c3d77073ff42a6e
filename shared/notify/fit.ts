/**
 * Size limits: one message per run and channel, never split. While the rendered message is over the
 * vendor's limit, sections give up items from their ends (the least urgent of a section: each is sorted
 * most urgent first) and say "…and N more". What can wait gives up first: a section's `cutFirst` rank
 * (renewals before the domains left for the next run, before failures, orders, domains at risk, unknown
 * outcomes and what was not read); within one rank, the sections are cut down to a common size in bytes,
 * so that no urgent section loses all of its names while another of the same rank keeps dozens (a list
 * of failures with long error texts was emptied first, being the longest, while successful orders kept
 * theirs), and each keeps its first item until only first items are left to cut.
 */

/**
 * Returns how many items of each section to show so that `measure(shown)` fits `limit`, or undefined
 * when even showing none does not fit. `itemBytes[s][i]` estimates item i of section s; `measure` is the
 * truth (the bytes of the final body), so the estimate only decides how much to drop per round.
 * `cutFirst[s]` (default 0): sections of a higher rank are cut to nothing before a lower rank gives up any.
 */
export function fitSections(itemBytes: ReadonlyArray<readonly number[]>, measure: (shown: readonly number[]) => number, limit: number, cutFirst: readonly number[] = []): number[] | undefined {
  const shown = itemBytes.map((items) => items.length);
  const prefix = itemBytes.map((items) => {
    const sums = [0];
    for (const b of items) sums.push(sums[sums.length - 1]! + b);
    return sums;
  });
  const rank = (s: number) => cutFirst[s] ?? 0;
  // Every round drops at least one item, so the loop is bounded by the number of items.
  for (;;) {
    const size = measure(shown);
    if (size <= limit) return shown;
    const open = shown.map((count, s) => (count > 0 ? s : -1)).filter((s) => s >= 0);
    if (open.length === 0) return undefined;
    const tier = Math.max(...open.map(rank));
    const cut = open.filter((s) => rank(s) === tier);
    const over = size - limit;
    const bytesShown = (s: number) => prefix[s]![shown[s]!]!;
    // Each section keeps its first (most urgent) item while cutting the others can make room: a long
    // first line (a run's error, a failure with its Chinese error text) must not be the first to go.
    const keepFirst = cut.reduce((total, s) => total + bytesShown(s) - prefix[s]![1]!, 0) >= over ? 1 : 0;
    // Not enough: every item but the first goes from each section of this rank before any first item does.
    // (A common level for all at once took the first line of a section whose first line is long, the run's
    // error or a domain at risk with its Chinese guard note, while shorter lines of another stayed.)
    if (keepFirst === 0 && cut.some((s) => shown[s]! > 1)) {
      for (const s of cut) shown[s] = Math.min(shown[s]!, 1);
      continue;
    }
    // The largest count of section s whose bytes are within `level`, never below keepFirst.
    const within = (s: number, level: number) => {
      let c = shown[s]!;
      while (c > keepFirst && prefix[s]![c]! > level) c--;
      return c;
    };
    const removed = (level: number) => cut.reduce((total, s) => total + bytesShown(s) - prefix[s]![within(s, level)]!, 0);
    // The highest common level that removes enough (removed(0) is all this rank may give up this round).
    let low = 0;
    let high = Math.max(...cut.map(bytesShown));
    if (removed(0) < over) high = 0;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (removed(mid) >= over) low = mid;
      else high = mid - 1;
    }
    const before = cut.map((s) => shown[s]!);
    for (const s of cut) shown[s] = within(s, low);
    // The estimate said enough went but the truth says not yet: at least one item goes each round
    // (from a section with more than its first item, while there is one).
    if (cut.every((s, i) => shown[s] === before[i])) {
      const candidates = cut.filter((s) => shown[s]! > 1);
      const from = candidates.length > 0 ? candidates : cut;
      const longest = from.reduce((a, b) => (bytesShown(b) > bytesShown(a) ? b : a));
      shown[longest]!--;
    }
  }
}

export function leftOutLine(count: number): string {
  return `…and ${count} more`;
}
