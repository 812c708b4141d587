import { escapeHtml } from '../http/html.js';

const STYLE = `
*{box-sizing:border-box}body{margin:0;background:#f4f5f7;color:#1f2933;font:16px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,"PingFang SC","Noto Sans CJK SC",sans-serif}
main{max-width:640px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:8px;padding:20px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.5rem;margin:8px 0}h2{font-size:1.1rem;margin:0 0 12px}
.muted{color:#68737d}.ref{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline li{position:relative;padding:0 0 14px 24px;border-left:2px solid #d8dcde;margin-left:6px}
ol.timeline li:last-child{border-left-color:transparent;padding-bottom:0}
ol.timeline li::before{content:"";position:absolute;left:-7px;top:4px;width:12px;height:12px;border-radius:50%;background:#1f73b7}
table{width:100%;border-collapse:collapse}td{padding:6px 0}td.num{text-align:right;font-weight:600}
label{display:block;margin:12px 0 4px;font-weight:600}
input,select{width:100%;padding:12px;font-size:16px;border:1px solid #c2c8cc;border-radius:4px}
button,.button{display:inline-block;margin-top:16px;background:#1f73b7;color:#fff;border:0;border-radius:4px;padding:12px 20px;font-size:16px;text-decoration:none}
.notice{background:#fff8e6;border-left:4px solid #f5a623;padding:12px}
@media (min-width:768px){main{padding:32px}h1{font-size:2rem}}
`;

/** A complete, script-free page with inline CSS (phones first). `body` must already be escaped. */
export function htmlPage(input: { readonly lang: string; readonly title: string; readonly body: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(input.lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body><main>${input.body}</main></body></html>`;
}

/** Headers for pages that carry a token or personal facts: not cached, not framed, no scripts. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
} as const;
