import { createGlobalStyle } from 'styled-components';

/** Layout for a 320 px sidebar: nothing wider than the frame, long ids wrap, focus always visible. */
export const SidebarStyles = createGlobalStyle`
  *, *::before, *::after { box-sizing: border-box; }
  html, body { margin: 0; max-width: 100%; overflow-x: hidden; }
  body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }
  .rd-root { padding: 12px; display: flex; flex-direction: column; gap: 12px; overflow-wrap: anywhere; }
  .rd-root section { display: flex; flex-direction: column; gap: 8px; }
  .rd-root h2 { font-size: 14px; margin: 0; }
  .rd-card { border: 1px solid #d8dcde; border-radius: 4px; padding: 8px; display: flex; flex-direction: column; gap: 4px; }
  .rd-row { display: flex; justify-content: space-between; align-items: center; gap: 8px; flex-wrap: wrap; }
  .rd-actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 4px; }
  .rd-cases, .rd-reasons { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  .rd-reasons { gap: 2px; font-size: 12px; }
  .rd-card details { font-size: 12px; }
  .rd-card summary { cursor: pointer; color: #68737d; }
  .rd-reasons li[data-outcome='fail'], .rd-reasons li[data-outcome='exception'] { color: #cc3340; }
  .rd-reasons li[data-outcome='review'] { color: #ad5918; }
  .rd-fieldset { border: 0; margin: 0 0 8px; padding: 0; }
  .rd-fieldset legend { font-weight: 600; font-size: 14px; padding: 0; margin-bottom: 4px; }
  .rd-root form { display: flex; flex-direction: column; gap: 8px; margin-top: 4px; }
  .rd-root input, .rd-root select, .rd-root textarea { max-width: 100%; }
  .rd-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  :focus-visible { outline: 2px solid #1f73b7; outline-offset: 2px; }
`;
