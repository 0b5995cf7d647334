/**
 * The drift report's stylesheet, inlined into the one HTML file (no external requests: the
 * report is read offline, from a CI artifact or an email). System fonts only; prints cleanly.
 */
export const DRIFT_HTML_STYLE = `
:root { --fg:#1d2530; --muted:#5b6675; --line:#d9dee5; --bg:#f5f7fa; --card:#fff;
  --high:#c62828; --medium:#b26a00; --low:#1f5fbf; --ok:#2e7d32; --accent:#2f4b7c; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--fg); background:var(--bg); }
header { background:var(--accent); color:#fff; padding:20px 28px 16px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header .sub { opacity:.9; }
header dl { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; margin:12px 0 0; font-size:13px; }
header dt { opacity:.75; } header dd { margin:0; font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; word-break:break-all; }
main { padding:20px 28px 40px; max-width:1500px; }
section { margin-bottom:22px; }
h2 { font-size:16px; margin:0 0 10px; }
.figures { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:12px; }
.figure { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.figure .n { font-size:26px; font-weight:650; line-height:1.1; }
.figure .l { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.figure.high .n { color:var(--high); } .figure.medium .n { color:var(--medium); } .figure.low .n { color:var(--low); }
.figure.none .n { color:var(--ok); }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(420px,1fr)); gap:14px; }
.chart { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.chart svg { display:block; width:100%; height:auto; }
.chart text { font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; fill:var(--fg); }
.chart .empty { fill:var(--muted); }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:3px; }
.filters select, .filters input { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:5px; background:#fff; color:var(--fg); min-width:150px; }
.filters select { max-width:300px; }
.filters input[type=search] { min-width:260px; }
.nowrap { white-space:nowrap; }
.filters .count { margin-left:auto; color:var(--muted); align-self:center; }
.tablewrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; margin-top:10px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f5; font-size:12px; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); position:sticky; top:0; }
th[data-sort] { cursor:pointer; user-select:none; white-space:nowrap; }
th[data-sort]::after { content:" \\2195"; opacity:.35; }
th.asc::after { content:" \\2191"; opacity:1; } th.desc::after { content:" \\2193"; opacity:1; }
tbody tr:hover { background:#f8fafc; }
td.mono, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.sev { display:inline-block; padding:1px 7px; border-radius:10px; font-size:11.5px; font-weight:600; color:#fff; }
.sev.high { background:var(--high); } .sev.medium { background:var(--medium); } .sev.low { background:var(--low); }
.cat { white-space:nowrap; }
.attrs { margin:4px 0 0; padding:0; list-style:none; color:var(--muted); font-size:12.5px; }
.fix-apply { color:var(--ok); font-weight:600; white-space:nowrap; } .fix-manual { color:var(--high); font-weight:600; }
.allowed td { color:var(--muted); } .allowed .note { color:var(--fg); }
.legend { color:var(--muted); font-size:12.5px; margin:6px 0 0; }
.warnings li { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; margin-bottom:4px; }
.nodrift { padding:18px; color:var(--ok); font-weight:600; }
footer { color:var(--muted); font-size:12.5px; padding:0 28px 28px; }
@media print { header { background:#fff; color:#000; } .filters { display:none; } th { position:static; } }
`;
