/** The report's stylesheet (inlined in the page; no web fonts, no network). */
export const REPORT_CSS = `
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --run:#9a6700; --run-bg:#fff8c5; --muted:#57606a;
  --line:#d0d7de; --bg:#ffffff; --bg2:#f6f8fa; --sel:#0969da; --row:22px; --label:300px; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:#1f2328; background:var(--bg); }
header.run { padding:14px 20px 10px; border-bottom:1px solid var(--line); background:var(--bg2); }
header.run h1 { font-size:18px; margin:0 0 6px; }
header.run h1 .status { font-size:13px; padding:2px 8px; border-radius:10px; margin-left:8px; vertical-align:middle; }
.status.SUCCESS { background:var(--ok-bg); color:var(--ok); } .status.FAIL { background:var(--fail-bg); color:var(--fail); }
.status.PROCESSING, .status.CREATED { background:var(--run-bg); color:var(--run); }
dl.facts { display:grid; grid-template-columns:max-content 1fr max-content 1fr; gap:2px 12px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; overflow-wrap:anywhere; }
.chips span { display:inline-block; background:#fff; border:1px solid var(--line); border-radius:10px; padding:0 8px; margin:2px 4px 2px 0; font-family:ui-monospace, Menlo, monospace; font-size:12px; }
main { display:flex; align-items:flex-start; }
#content { flex:1; min-width:0; padding:10px 20px 30px; }
h2 { font-size:15px; margin:16px 0 6px; }
.toolbar { display:flex; gap:6px; align-items:center; margin-bottom:6px; color:var(--muted); flex-wrap:wrap; }
.toolbar button { font:inherit; border:1px solid var(--line); background:var(--bg2); border-radius:6px; padding:2px 10px; cursor:pointer; }
.toolbar button:hover { background:#eaeef2; }
#gantt { border:1px solid var(--line); border-radius:6px; position:relative; }
#gscroll { overflow:auto; max-height:70vh; position:relative; }
#axis { position:sticky; top:0; height:24px; background:var(--bg2); border-bottom:1px solid var(--line); z-index:3; }
#axis .tick { position:absolute; top:0; height:24px; border-left:1px solid var(--line); padding-left:3px; font-size:11px; color:var(--muted); white-space:nowrap; }
#axis .corner { position:sticky; left:0; width:var(--label); height:24px; background:var(--bg2); z-index:4; border-right:1px solid var(--line); padding:3px 8px; color:var(--muted); font-size:11px; }
#rows { position:relative; }
.grow { position:absolute; left:0; height:var(--row); width:100%; border-bottom:1px solid #f0f2f4; }
.grow:hover { background:#f6f8fa; }
.grow.sel { background:#ddf4ff; }
.glabel-cell { position:sticky; left:0; width:var(--label); height:var(--row); background:inherit; background-color:var(--bg); z-index:2; white-space:nowrap; overflow:hidden; text-overflow:ellipsis;
  padding:2px 8px; border-right:1px solid var(--line); cursor:pointer; font-size:12px; }
.grow.sel .glabel-cell { background:#ddf4ff; }
.toggle { display:inline-block; width:14px; color:var(--muted); }
.bar { position:absolute; top:4px; height:14px; border-radius:3px; cursor:pointer; min-width:2px; border:1px solid transparent; }
.bar.SUCCESS { background:#2da44e; } .bar.FAIL { background:repeating-linear-gradient(135deg, #cf222e 0 4px, #ff8182 4px 8px); }
.bar.PROCESSING, .bar.CREATED { background:#d4a72c; }
.bar.span { top:7px; height:8px; opacity:.55; } .bar.span.SUCCESS { background:#4ac26b; } .bar.span.FAIL { background:#ff8182; }
.bar.sel { outline:2px solid var(--sel); outline-offset:1px; }
.agg { position:absolute; top:3px; font-size:11px; color:var(--muted); white-space:nowrap; }
#tip { position:fixed; pointer-events:none; background:#24292f; color:#fff; padding:4px 8px; border-radius:4px; font-size:12px; z-index:10; display:none; max-width:420px; white-space:pre-line; }
#graph-wrap { overflow:auto; border:1px solid var(--line); border-radius:6px; background:#fff; max-height:80vh; }
svg.graph text { font:12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
svg.graph .gname { font-weight:600; fill:#1f2328; } svg.graph .gsub { fill:var(--muted); font-size:11px; }
svg.graph .gbranch { fill:var(--muted); font-size:11px; } svg.graph .glabel { fill:#0550ae; font-size:11px; }
svg.graph .gnode rect { stroke-width:1.5; cursor:pointer; }
svg.graph .gnode.ok rect { fill:var(--ok-bg); stroke:var(--ok); } svg.graph .gnode.fail rect { fill:var(--fail-bg); stroke:var(--fail); }
svg.graph .gnode.running rect { fill:var(--run-bg); stroke:var(--run); } svg.graph .gnode.notrun rect { fill:#fff; stroke:#8c959f; stroke-dasharray:4 3; }
svg.graph .gnode.stub rect { stroke-dasharray:2 2; }
svg.graph .gnode.sel rect { stroke:var(--sel); stroke-width:3; }
svg.graph .gcomp rect { fill:rgba(246,248,250,.6); stroke:#8c959f; stroke-width:1.2; cursor:pointer; }
svg.graph .gcomp.ok rect { stroke:var(--ok); } svg.graph .gcomp.fail rect { stroke:var(--fail); } svg.graph .gcomp.notrun rect { stroke-dasharray:4 3; }
svg.graph .gof { fill:none; stroke:var(--fail); stroke-dasharray:5 4; }
svg.graph .gedge { fill:none; stroke:#57606a; stroke-width:1.4; } svg.graph .gedge.onfail { stroke:var(--fail); stroke-dasharray:5 4; }
#panel { width:420px; flex:none; border-left:1px solid var(--line); background:#fff; position:sticky; top:0; max-height:100vh; overflow:auto; padding:12px 16px 30px; display:none; }
#panel.open { display:block; }
#panel h3 { margin:0 0 2px; font-size:15px; word-break:break-all; } #panel .path { color:var(--muted); font-family:ui-monospace, Menlo, monospace; font-size:12px; word-break:break-all; }
#panel .close { float:right; border:none; background:none; font-size:18px; cursor:pointer; color:var(--muted); }
#panel h4 { margin:14px 0 4px; font-size:13px; }
#panel table { border-collapse:collapse; width:100%; font-size:12px; }
#panel td, #panel th { border-bottom:1px solid #eaeef2; padding:3px 4px; text-align:left; vertical-align:top; }
#panel th { color:var(--muted); font-weight:normal; }
#panel td.k { font-family:ui-monospace, Menlo, monospace; white-space:nowrap; }
#panel pre { background:var(--bg2); border:1px solid var(--line); border-radius:4px; padding:6px 8px; white-space:pre-wrap; word-break:break-word; font-size:11.5px; max-height:280px; overflow:auto; margin:0; }
#panel pre.err { background:var(--fail-bg); border-color:#ffcecb; }
#panel .v { font-family:ui-monospace, Menlo, monospace; white-space:pre-wrap; word-break:break-word; }
.muted { color:var(--muted); }
i.dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:5px; vertical-align:0; background:#8c959f; }
i.dot.SUCCESS { background:#2da44e; } i.dot.FAIL { background:#cf222e; } i.dot.PROCESSING, i.dot.CREATED { background:#d4a72c; }
footer { color:var(--muted); font-size:11px; padding:10px 20px; border-top:1px solid var(--line); }
`;
