/** Panel CSS, applied through a constructable stylesheet: no inline `style` attributes anywhere. */
export const panelCss = `.panel{box-sizing:border-box;width:min(640px,calc(100vw - 32px));max-height:min(72vh,760px);overflow:auto;background:var(--as-bg);color:var(--as-fg);border:1px solid var(--as-line);border-radius:10px;box-shadow:0 8px 28px rgb(0 0 0/.22)}
:host(.inline) .panel{width:100%;max-height:none;box-shadow:none}
.panel *{box-sizing:border-box}
header{padding:12px 14px 10px;border-bottom:1px solid var(--as-line);background:var(--as-soft);border-radius:10px 10px 0 0}
.title{display:flex;align-items:center;gap:8px;font-size:13px;margin-bottom:8px}
.fields{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:6px 12px}
.field{display:flex;flex-direction:column;min-width:0}
.label{color:var(--as-muted);font-size:10.5px;text-transform:uppercase;letter-spacing:.04em}
.value{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.last-error{margin:8px 0 0;color:var(--as-bad);overflow-wrap:anywhere}
.badge{display:inline-block;padding:0 7px;border-radius:999px;font-size:11px;line-height:18px;border:1px solid currentColor;white-space:nowrap;max-width:100%;overflow:hidden;text-overflow:ellipsis}
.badge.ok{color:var(--as-ok)}.badge.info{color:var(--as-accent)}.badge.warn{color:var(--as-warn)}.badge.bad{color:var(--as-bad)}.badge.muted{color:var(--as-muted)}
.toolbar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:10px 14px 0}
button,select{font:inherit;color:var(--as-fg);background:var(--as-bg);border:1px solid var(--as-line);border-radius:6px;padding:3px 10px;cursor:pointer}
button:hover{border-color:var(--as-accent)}
button:disabled{opacity:.5;cursor:progress}
button:focus-visible,select:focus-visible{outline:2px solid var(--as-accent);outline-offset:1px}
button.primary{background:var(--as-accent);border-color:var(--as-accent);color:#fff}
button.danger{color:var(--as-bad);border-color:var(--as-bad)}
select.filter{margin-left:auto}
.message{margin:6px 14px 0;min-height:1em;color:var(--as-muted);overflow-wrap:anywhere}
.message.ok{color:var(--as-ok)}.message.bad{color:var(--as-bad)}
.body{padding:4px 14px 14px}
section{margin-top:12px}
h3{display:flex;align-items:center;gap:6px;margin:0 0 4px;font-size:12px}
.count{color:var(--as-muted);font-weight:400;background:var(--as-soft);border:1px solid var(--as-line);border-radius:999px;padding:0 6px;font-size:10.5px}
table{width:100%;border-collapse:collapse}
th{text-align:left;font-weight:500;color:var(--as-muted);font-size:10.5px;text-transform:uppercase;letter-spacing:.04em;border-bottom:1px solid var(--as-line);padding:2px 10px 2px 0;white-space:nowrap}
td{border-bottom:1px solid var(--as-line);padding:3px 10px 3px 0;vertical-align:top;overflow-wrap:anywhere}
td:last-child,th:last-child{padding-right:0}
td.short{white-space:nowrap;overflow-wrap:normal}
tr:last-child td{border-bottom:0}
.empty,.more{margin:0;color:var(--as-muted)}
.more{padding-top:4px;font-style:italic}
.row-actions{display:inline-flex;gap:4px;white-space:nowrap}
.row-actions button{padding:0 6px}
.confirm{color:var(--as-bad)}
.outcome.succeeded{color:var(--as-ok)}.outcome.failed{color:var(--as-bad)}.outcome.running{color:var(--as-accent)}`
