// Theme: the site's one stylesheet. System fonts only: the site loads nothing from the network.

enum Theme {
    static let css = """
    :root {
      --bg: #fdfdfc; --fg: #1d1f21; --muted: #5c6166; --accent: #0b62a4; --rule: #e3e5e8;
      --code-bg: #f4f5f7; --out-bg: #f7faf7; --out-rule: #2e7d32; --trap: #b3261e;
      color-scheme: light dark;
    }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #16181a; --fg: #e4e6e8; --muted: #a0a6ad; --accent: #6cb6ff; --rule: #2c3035;
              --code-bg: #1f2226; --out-bg: #1a211b; --out-rule: #66bb6a; --trap: #ff8a80; }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: var(--bg); color: var(--fg);
           font: 17px/1.65 Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif; }
    header.site, main, nav.pager, footer { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
    header.site { padding-top: 1.2rem; padding-bottom: 0.6rem; border-bottom: 1px solid var(--rule);
                  font: 600 0.95rem/1.4 system-ui, sans-serif; }
    header.site a { color: var(--fg); text-decoration: none; }
    main { padding-top: 1.5rem; padding-bottom: 2rem; }
    h1, h2, h3 { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.25; }
    h1 { font-size: 2rem; margin: 0.5rem 0 1rem; }
    h2 { font-size: 1.4rem; margin-top: 2.2rem; }
    a { color: var(--accent); }
    code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.86em; }
    :not(pre) > code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 3px; }
    pre { overflow-x: auto; padding: 0.8rem 1rem; border-radius: 6px; background: var(--code-bg); line-height: 1.45; }
    .cell { margin: 1.4rem 0; }
    .cell pre.code { margin-bottom: 0; border-left: 3px solid var(--accent); }
    .outputs { margin-top: 0.35rem; }
    pre.output { background: var(--out-bg); border-left: 3px solid var(--out-rule); margin: 0.35rem 0; }
    pre.output.trap { border-left-color: var(--trap); color: var(--trap); }
    table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
    th, td { padding: 0.3rem 0.75rem; border-bottom: 1px solid var(--rule); text-align: left; }
    th { font-family: system-ui, sans-serif; font-weight: 600; }
    td.num { text-align: right; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-variant-numeric: tabular-nums; }
    caption { caption-side: top; text-align: left; color: var(--muted); font-size: 0.9rem; padding-bottom: 0.3rem; }
    figure.plot { margin: 1rem 0; }
    figure.plot svg { width: 100%; height: auto; max-width: 640px; }
    figcaption { color: var(--muted); font-size: 0.9rem; }
    blockquote { margin: 1rem 0; padding: 0.2rem 1rem; border-left: 3px solid var(--rule); color: var(--muted); }
    .lead { font-size: 1.1rem; color: var(--muted); }
    ol.lessons { list-style: none; padding: 0; }
    ol.lessons li { padding: 0.7rem 0; border-bottom: 1px solid var(--rule); }
    ol.lessons a { font: 600 1.1rem/1.4 system-ui, sans-serif; text-decoration: none; }
    ol.lessons .num { display: inline-block; min-width: 2rem; color: var(--muted); }
    ol.lessons p { margin: 0.2rem 0 0 2rem; color: var(--muted); }
    nav.pager { display: flex; justify-content: space-between; gap: 1rem; padding-top: 1rem; padding-bottom: 1rem;
                border-top: 1px solid var(--rule); font-family: system-ui, sans-serif; }
    nav.pager .next { margin-left: auto; }
    footer { color: var(--muted); font: 0.85rem/1.5 system-ui, sans-serif; padding-bottom: 2rem; }
    @media (max-width: 600px) { body { font-size: 16px; } h1 { font-size: 1.6rem; } }
    @media print { header.site, nav.pager { display: none; } pre { white-space: pre-wrap; } body { background: #fff; color: #000; } }

    """
}
