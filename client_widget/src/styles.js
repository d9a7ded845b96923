// The widget's styles: one constructed stylesheet in its shadow root, which a
// host's CSP allows without 'unsafe-inline'. Every colour, font and radius is
// a --doithoai-* custom property with a default, so a portal themes the
// widget from outside (docs/embedding.md) and nothing else crosses in.
//
// Plain CSS text: it must never hold a url() to another site, an @import, or
// anything that runs.

export const STYLES = `
:host{display:block;color:var(--doithoai-fg,#1b1f24);background:var(--doithoai-bg,#fff);
font:16px/1.5 var(--doithoai-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif);
border:1px solid var(--doithoai-border,#c9d1d9);border-radius:var(--doithoai-radius,8px);
container-type:inline-size;overflow:hidden;overflow:clip;min-width:0}
:host([hidden]){display:none}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.w{padding:12px;display:grid;gap:16px;min-width:0}
h2,h3,p{margin:0}
h2{font-size:1.15em;line-height:1.3}
h3{font-size:1.05em;line-height:1.3;margin-bottom:10px}
.sect{border-top:1px solid var(--doithoai-border,#c9d1d9);padding-top:12px}
.head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;justify-content:space-between}
.badge,.tag{display:inline-block;border-radius:999px;padding:0 8px;font-size:.8em;
background:var(--doithoai-surface,#eef2f6);color:var(--doithoai-fg,#1b1f24)}
.conn{font-size:.85em;color:var(--doithoai-danger,#b42318)}
.badge[data-phase=live]::before{content:"";display:inline-block;width:.6em;height:.6em;margin-right:.35em;
border-radius:50%;background:var(--doithoai-live,#b42318)}
.note{padding:10px 12px;border-radius:var(--doithoai-radius,8px);background:var(--doithoai-surface,#eef2f6)}
.bad{color:var(--doithoai-danger,#b42318)}
.note.bad{background:var(--doithoai-danger-bg,#fdecea)}
.air{border-left:4px solid var(--doithoai-accent,#0b5cab);padding:8px 12px;
background:var(--doithoai-surface,#eef2f6);border-radius:var(--doithoai-radius,8px)}
.muted{color:var(--doithoai-muted,#545d68)}
form,.fields,.w0,fieldset,.field-pair{display:grid;gap:12px;min-width:0}
.w0{gap:16px}
fieldset{margin:0;padding:0;border:0}
legend{font-weight:700;padding:0;margin-bottom:4px}
.field{display:grid;gap:4px;min-width:0}
label{font-weight:600}
.optional{font-weight:400;color:var(--doithoai-muted,#545d68)}
input,select,textarea,button{font:inherit;color:inherit;max-width:100%}
input[type=text],input[type=tel],input[type=email],select,textarea{width:100%;min-width:0;padding:8px 10px;
border:1px solid var(--doithoai-muted,#545d68);border-radius:calc(var(--doithoai-radius,8px) / 2);
background:var(--doithoai-bg,#fff)}
textarea{min-height:7em;resize:vertical}
[aria-invalid=true]{border-color:var(--doithoai-danger,#b42318);border-width:2px}
[readonly]{background:var(--doithoai-surface,#eef2f6)}
.hint,.char-count,.err,.field-error,.small{font-size:.875em}
.field-error{color:var(--doithoai-danger,#b42318)}
.char-count{justify-self:end}
.char-count.over{color:var(--doithoai-danger,#b42318);font-weight:600}
.ask-summary,.ask-alert{padding:10px 12px;border-radius:var(--doithoai-radius,8px);
color:var(--doithoai-danger,#b42318);background:var(--doithoai-danger-bg,#fdecea)}
.ask-summary-title,.ask-kept{font-weight:600}
.ask-summary ul{list-style:disc;display:block;padding-left:1.2em}
.ask-summary a{color:inherit}
.ask-actions{display:flex;flex-wrap:wrap;gap:8px}
.more{justify-self:start;border:0;background:none;padding:2px 0;min-height:40px;text-decoration:underline}
.jump{display:block;text-align:center;padding:10px 14px;font-weight:600;text-decoration:none;
border-radius:calc(var(--doithoai-radius,8px) / 2);background:var(--doithoai-accent,#0b5cab);
color:var(--doithoai-accent-fg,#fff);min-height:44px}
.check{display:flex;gap:8px;align-items:flex-start;font-weight:400}
.check input{margin-top:.3em;width:1.1em;height:1.1em;flex:none}
.privacy{font-size:.875em;color:var(--doithoai-muted,#545d68)}
.trap,.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button{cursor:pointer;border-radius:calc(var(--doithoai-radius,8px) / 2);padding:8px 14px;
border:1px solid var(--doithoai-accent,#0b5cab);background:var(--doithoai-bg,#fff);
color:var(--doithoai-accent,#0b5cab);font-weight:600;text-decoration:none;display:inline-block;min-height:44px}
button.primary{background:var(--doithoai-accent,#0b5cab);color:var(--doithoai-accent-fg,#fff)}
button[aria-disabled=true]{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--doithoai-focus,var(--doithoai-accent,#0b5cab));outline-offset:2px}
a{color:var(--doithoai-accent,#0b5cab)}
.code{font:700 1.25em/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;white-space:nowrap}
.mine{border-top:1px solid var(--doithoai-border,#c9d1d9);padding-top:12px;display:grid;gap:8px}
.mine-note,.mine-meta{font-size:.875em}
.mine-meta{display:flex;flex-wrap:wrap;gap:0 10px}
.mine-status{font-weight:600}
.tracking-code{font-family:ui-monospace,monospace;white-space:nowrap}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
ul{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.q,.mine-item{border:1px solid var(--doithoai-border,#c9d1d9);border-radius:var(--doithoai-radius,8px);padding:10px 12px;
display:grid;gap:6px;min-width:0}
.q-text,.a-text,.mine-text{white-space:pre-line;overflow-wrap:anywhere}
.meta{font-size:.85em;color:var(--doithoai-muted,#545d68);display:flex;flex-wrap:wrap;gap:0 10px}
.meta>*{overflow-wrap:anywhere;min-width:0}
.tags{display:flex;flex-wrap:wrap;gap:6px}
.a{border-left:3px solid var(--doithoai-accent,#0b5cab);padding-left:10px;display:grid;gap:4px}
.a-by{font-size:.875em;font-weight:600;overflow-wrap:anywhere}
.a-wait{font-weight:600}
.vote{display:inline-flex;gap:6px;align-items:center;padding:4px 12px;justify-self:start;
font-size:.875em;min-height:40px;white-space:nowrap}
.vote .n{border-left:1px solid currentColor;padding-left:8px;margin-left:2px}
.vote[aria-pressed=true]{background:var(--doithoai-accent,#0b5cab);color:var(--doithoai-accent-fg,#fff);cursor:default}
@container (max-width:559px){.jump{position:sticky;top:0;z-index:1;box-shadow:0 2px 6px rgb(0 0 0 / 15%)}
.jump.away{visibility:hidden}}
@container (min-width:560px){.w{padding:16px 20px}.field-pair{grid-template-columns:1fr 1fr}
.jump{justify-self:start}}
`;
