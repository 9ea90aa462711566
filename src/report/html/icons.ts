/**
 * Type marks drawn in the page: plain symbols every system font has (colour emoji fonts are often missing, on
 * Linux servers and in CI browsers).
 */
export const HTML_ICON: Record<string, string> = { task: '⚙', stub: '✎', success: '✓', fail: '✗', parallel: '⇉', map: '⇶', conditional: '◇', loop: '↻' };
