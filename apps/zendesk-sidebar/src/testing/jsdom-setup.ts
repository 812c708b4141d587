/**
 * jsdom lacks what Garden reads at import time (`matchMedia`); import this first in a test file.
 * React's act() environment flag is off: screens are awaited with findBy/waitFor instead.
 */
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
// user-event walks radio groups with CSS.escape, which jsdom does not implement.
if (typeof globalThis.CSS?.escape !== 'function') {
  const escapeIdent = (value: string) => value.replace(/[^\w-]/g, (char) => `\\${char}`);
  (globalThis as { CSS?: unknown }).CSS = { ...(globalThis.CSS ?? {}), escape: escapeIdent };
}
