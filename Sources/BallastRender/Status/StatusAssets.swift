/// The status page's style and its one script, inline in every page and allowed by their hashes alone
/// (`StatusPage.contentSecurityPolicy`): nothing is fetched from anywhere. Light and dark follow the
/// browser's preference; tables scroll sideways on a phone instead of squeezing.
enum StatusAssets {
    static let style = """
        :root{color-scheme:light dark;--fg:#1b1f24;--bg:#ffffff;--quiet:#57606a;--line:#d0d7de;--link:#0550ae;\
        --sync:#116329;--mod:#7d4e00;--del:#a40e26;--nc:#6639ba;--mark:#fff8c5}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--quiet:#9da7b3;--line:#30363d;\
        --link:#79c0ff;--sync:#56d364;--mod:#e3b341;--del:#ff7b72;--nc:#d2a8ff;--mark:#3b2e00}}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        header{padding:.6rem 1rem;border-bottom:1px solid var(--line)}
        main{padding:0 1rem 2rem;max-width:84rem}
        a{color:var(--link)}
        .brand{font-weight:700;text-decoration:none}
        .quiet{color:var(--quiet)}
        h1{font-size:1.35rem;margin:1.4rem 0 .4rem}
        h2{font-size:1.1rem;margin:1.2rem 0 .3rem}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}
        caption{text-align:left;color:var(--quiet);padding:.2rem 0}
        th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        td.nowrap{white-space:nowrap}
        code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
        ul.differences{margin:0;padding-left:1rem}
        .badge{font-weight:700;white-space:nowrap}
        .badge.in_sync{color:var(--sync)}.badge.modified{color:var(--mod)}
        .badge.deleted{color:var(--del)}.badge.not_checked{color:var(--nc)}
        .mark{background:var(--mark);padding:0 .25rem;border-radius:3px}
        .held{color:var(--quiet)}
        form.filter{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
        select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);\
        border-radius:4px;padding:.2rem .4rem}
        .crumbs{list-style:none;padding:0;margin:.8rem 0 0;display:flex;gap:.5rem}
        .crumbs li+li::before{content:"/ ";color:var(--quiet)}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
        dt{color:var(--quiet)}dd{margin:0}
        """

    /// Filters an environment's table as its selects change, without asking the server again.
    static let script = """
        document.querySelectorAll("form.filter").forEach(function(f){\
        f.addEventListener("change",function(){var s=f.elements.status.value,t=f.elements.type.value;\
        var table=document.getElementById(f.dataset.table);if(!table)return;\
        table.querySelectorAll("tbody tr[data-status]").forEach(function(r){\
        r.hidden=(s!==""&&r.dataset.status!==s)||(t!==""&&r.dataset.type!==t);});});});
        """
}
