// Theme: the site's one stylesheet. System fonts for text and code, the shipped Latin Modern Math
// for formulas: the site loads nothing from the network.

enum Theme {
    static let css = """
    @font-face { font-family: "Latin Modern Math"; src: url("fonts/latinmodern-math.otf") format("opentype"); font-display: swap; }
    :root {
      --bg: #fcfcfa; --fg: #1f2328; --muted: #59636e; --accent: #0a5fad; --rule: #e4e7eb; --panel: #f4f5f7;
      --code-bg: #f5f6f8; --out-bg: #f6faf6; --out-rule: #2e7d32; --trap: #b3261e; --mark: #fff3bf;
      --kw: #a6267a; --ty: #0b6b8a; --str: #a33b12; --num: #1750a0; --com: #6a737d; --fn: #5a3fa0; --attr: #8a5a00;
      --sans: system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif;
      --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, "Noto Serif", "DejaVu Serif", Georgia, serif;
      --mono: ui-monospace, "SF Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
      color-scheme: light dark;
    }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #15171a; --fg: #e3e6ea; --muted: #9aa3ad; --accent: #71b7ff; --rule: #2b3036; --panel: #1c1f23;
              --code-bg: #1b1e22; --out-bg: #18211a; --out-rule: #6fbf73; --trap: #ff8a80; --mark: #4a3f00;
              --kw: #ff7ab8; --ty: #5cc8e8; --str: #f0a070; --num: #8fb8ff; --com: #8b949e; --fn: #c3a6ff; --attr: #e8c26a; }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; scroll-padding-top: 4.5rem; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 17px/1.68 var(--serif); }
    a { color: var(--accent); text-underline-offset: 0.15em; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 0.5rem; z-index: 10; background: var(--bg); padding: 0.3rem 0.6rem; }

    header.site { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 1rem;
                  padding: 0.6rem max(1.25rem, calc((100% - 72rem) / 2)); background: color-mix(in srgb, var(--bg) 92%, transparent);
                  backdrop-filter: blur(6px); border-bottom: 1px solid var(--rule); font-family: var(--sans); }
    header.site .brand { font-weight: 650; font-size: 1rem; color: var(--fg); text-decoration: none; white-space: nowrap; }
    .search { position: relative; margin-left: auto; width: min(22rem, 55vw); }
    #search-input { width: 100%; font: 0.92rem var(--sans); padding: 0.4rem 0.7rem; border-radius: 8px;
                    border: 1px solid var(--rule); background: var(--panel); color: var(--fg); }
    #search-input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
    #search-results { position: absolute; right: 0; top: 2.4rem; width: min(32rem, 92vw); max-height: 70vh; overflow: auto; margin: 0;
                      padding: 0.3rem; list-style: none; background: var(--bg); border: 1px solid var(--rule); border-radius: 10px;
                      box-shadow: 0 12px 32px rgb(0 0 0 / 0.18); }
    #search-results li { padding: 0.45rem 0.6rem; border-radius: 6px; }
    #search-results li:hover { background: var(--panel); }
    #search-results a { display: block; font-weight: 600; text-decoration: none; }
    #search-results .snippet { display: block; font-size: 0.85rem; color: var(--muted); line-height: 1.4; }
    #search-results .none { color: var(--muted); }

    .layout { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; display: grid; grid-template-columns: minmax(0, 1fr); }
    main { min-width: 0; max-width: 47rem; width: 100%; margin: 0 auto; padding: 1.5rem 0 2.5rem; }
    body.lesson .layout { grid-template-columns: minmax(0, 1fr); }
    @media (min-width: 1180px) {
      body.has-toc .layout { grid-template-columns: 14rem minmax(0, 1fr); gap: 3rem; }
      body.has-toc main { margin: 0; }
      nav.toc { grid-column: 1; position: sticky; top: 4.5rem; align-self: start; max-height: calc(100vh - 6rem); overflow: auto; padding-top: 2rem; }
      body.has-toc main { grid-column: 2; }
    }
    @media (max-width: 1179px) { nav.toc { display: none; } }
    nav.toc { font: 0.85rem/1.45 var(--sans); }
    nav.toc .toc-title { margin: 0 0 0.5rem; font-weight: 650; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.72rem; }
    nav.toc ol { list-style: none; margin: 0; padding: 0; border-left: 1px solid var(--rule); }
    nav.toc li a { display: block; padding: 0.22rem 0 0.22rem 0.8rem; color: var(--muted); text-decoration: none; }
    nav.toc li.level3 a { padding-left: 1.6rem; }
    nav.toc li a:hover { color: var(--accent); }

    h1, h2, h3, h4 { font-family: var(--sans); line-height: 1.25; letter-spacing: -0.01em; }
    h1 { font-size: 2.1rem; margin: 0.6rem 0 1.1rem; }
    h2 { font-size: 1.42rem; margin-top: 2.6rem; padding-top: 0.4rem; border-top: 1px solid var(--rule); }
    h3 { font-size: 1.15rem; margin-top: 1.8rem; }
    h1 .anchor, h2 .anchor, h3 .anchor { float: left; margin-left: -1.1em; width: 1.1em; color: var(--rule); text-decoration: none; visibility: hidden; }
    h1:hover .anchor, h2:hover .anchor, h3:hover .anchor { visibility: visible; }
    p, li { hyphens: auto; }
    blockquote { margin: 1.2rem 0; padding: 0.3rem 1.1rem; border-left: 3px solid var(--accent); background: var(--panel); border-radius: 0 6px 6px 0; }
    hr { border: 0; border-top: 1px solid var(--rule); margin: 2rem 0; }
    img { max-width: 100%; }

    math { font-family: "Latin Modern Math", "STIX Two Math", math; font-size: 1.08em; }
    math[display="block"] { display: block math; margin: 1rem 0; overflow-x: auto; overflow-y: hidden; padding: 0.2rem 0; }
    .value { font-family: var(--mono); font-size: 0.9em; padding: 0 0.15em; border-bottom: 1px dotted var(--muted); }
    .value.checked { border-bottom-style: solid; border-bottom-color: var(--out-rule); }

    code, pre { font-family: var(--mono); font-size: 0.84em; }
    :not(pre) > code { background: var(--code-bg); padding: 0.1em 0.32em; border-radius: 4px; }
    pre { overflow-x: auto; padding: 0.85rem 1rem; border-radius: 8px; background: var(--code-bg); line-height: 1.5; tab-size: 4; }
    .t-kw { color: var(--kw); font-weight: 500; } .t-ty { color: var(--ty); } .t-str { color: var(--str); } .t-num { color: var(--num); }
    .t-com { color: var(--com); font-style: italic; } .t-fn, .t-def { color: var(--fn); } .t-attr { color: var(--attr); } .t-interp { color: var(--kw); }
    .cell { margin: 1.5rem 0; }
    .cell pre.code { margin: 0; border-left: 3px solid var(--accent); }
    pre.listing { border-left: 3px solid #ee4c2c; }
    .cell.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.75rem; margin-bottom: 0.4rem; }
    .cell.pair pre { margin: 0; height: calc(100% - 1.6rem); }
    .side-label { margin: 0 0 0.3rem; font: 600 0.72rem var(--sans); letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted); }
    @media (max-width: 760px) { .cell.pair { grid-template-columns: minmax(0, 1fr); } }
    .outputs { margin-top: 0.4rem; }
    pre.output { background: var(--out-bg); border-left: 3px solid var(--out-rule); margin: 0.4rem 0; }
    pre.output.trap { border-left-color: var(--trap); color: var(--trap); }

    .table-wrap { overflow-x: auto; margin: 0.8rem 0; }
    table { border-collapse: collapse; font: 0.9rem/1.45 var(--sans); }
    th, td { padding: 0.35rem 0.8rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
    th { font-weight: 650; border-bottom: 2px solid var(--rule); }
    td.num { text-align: right; font-family: var(--mono); font-size: 0.92em; font-variant-numeric: tabular-nums; white-space: nowrap; }
    caption { caption-side: top; text-align: left; color: var(--muted); font-size: 0.88rem; padding-bottom: 0.35rem; }
    tbody tr:hover { background: var(--panel); }

    body.index main { max-width: 52rem; }
    .lead { font-size: 1.12rem; color: var(--muted); }
    ol.lessons { list-style: none; padding: 0; margin: 2rem 0; display: grid; gap: 0.8rem; }
    ol.lessons li { border: 1px solid var(--rule); border-radius: 12px; padding: 0.9rem 1.1rem; background: var(--panel); }
    ol.lessons li:hover { border-color: var(--accent); }
    ol.lessons a { display: flex; gap: 0.8rem; align-items: baseline; font: 650 1.1rem/1.35 var(--sans); text-decoration: none; }
    ol.lessons .num { color: var(--muted); font-variant-numeric: tabular-nums; min-width: 1.4rem; }
    ol.lessons p { margin: 0.3rem 0 0 2.2rem; color: var(--muted); font-size: 0.95rem; line-height: 1.5; }

    nav.pager { max-width: 47rem; margin: 0 auto; padding: 1rem 1.25rem 0; display: flex; gap: 1rem; font-family: var(--sans); }
    nav.pager a { flex: 1; border: 1px solid var(--rule); border-radius: 10px; padding: 0.7rem 1rem; text-decoration: none; font-weight: 600; }
    nav.pager a span { display: block; font-size: 0.75rem; font-weight: 500; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
    nav.pager a.next { text-align: right; margin-left: auto; }
    nav.pager a:hover { border-color: var(--accent); }
    footer { max-width: 47rem; margin: 0 auto; color: var(--muted); font: 0.82rem/1.5 var(--sans); padding: 1.5rem 1.25rem 2.5rem; }

    @media (max-width: 600px) {
      body { font-size: 16px; }
      h1 { font-size: 1.65rem; }
      .search { width: 9.5rem; }
      header.site .brand { font-size: 0.92rem; }
      /* Plots keep readable text on a phone: they scroll sideways instead of shrinking. */
      figure.plot { overflow-x: auto; }
      figure.plot svg { min-width: 520px; }
    }
    @media print {
      header.site, nav.toc, nav.pager, .plot-slider input, #search-results { display: none !important; }
      body { background: #fff; color: #000; font-size: 11pt; }
      pre { white-space: pre-wrap; border: 1px solid #ccc; }
      a { color: #000; }
      .cell, figure, table { break-inside: avoid; }
    }

    """
}
