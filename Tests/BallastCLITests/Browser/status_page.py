"""Drives Debian's chromium through Playwright against ballast's status page and prints what it saw as JSON.

Usage: status_page.py served BASE_URL ENV RESOURCE_PATH SHOTS_DIR
       status_page.py file PAGE_PATH SHOTS_DIR
       status_page.py token BASE_URL TOKEN

It judges nothing itself: the Swift test reads the observations and decides. Playwright's own browser
download cannot be used here, so the system binary is launched (PLAYWRIGHT_CHROMIUM or /usr/bin/chromium).
"""
import json
import os
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")


def launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])


def watched(page, errors):
    """Collects console errors, page errors and failed requests (a blocked inline script or style shows here)."""
    page.on("console", lambda m: errors.append("console: " + m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append("pageerror: " + str(e)))
    page.on("requestfailed", lambda r: errors.append("requestfailed: " + r.url))


def axe_findings(page):
    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def visible_rows(page, table):
    return page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.filter(r => !r.hidden && r.offsetParent !== null).length")


def served(base, env, resource, shots):
    seen = {}
    with sync_playwright() as p:
        browser = launch(p)
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            errors = []
            watched(page, errors)
            pages = {}
            for name, path in (("overview", "/"), ("environment", f"/env/{env}"), ("resource", resource),
                               ("json", "/api/status.json")):
                response = page.goto(base + path)
                pages[name] = {"status": response.status, "text": page.inner_text("body"),
                               "csp": response.headers.get("content-security-policy", "")}
                if name != "json":
                    pages[name]["axe"] = axe_findings(page)
                    pages[name]["pwned"] = page.evaluate("() => window.pwned === undefined ? null : window.pwned")
                    pages[name]["scripts"] = page.eval_on_selector_all("script", "s => s.length")
                    pages[name]["images"] = page.eval_on_selector_all("img", "s => s.length")
            seen[scheme] = {"errors": errors, "pages": pages}
            if scheme == "light":
                page.goto(base + f"/env/{env}")
                table = f"env-{env}-table"
                seen["rows"] = visible_rows(page, table)
                page.select_option(f"#env-{env}-status", "MODIFIED")
                seen["rowsModifiedByScript"] = visible_rows(page, table)
                page.select_option(f"#env-{env}-status", "")
                seen["rowsAgain"] = visible_rows(page, table)
                page.goto(base + f"/env/{env}?status=DELETED")
                seen["rowsDeletedByServer"] = visible_rows(page, table)
                page.goto(base + f"/env/{env}")
                page.screenshot(path=os.path.join(shots, "status-environment.png"), full_page=True)
                page.goto(base + resource)
                page.screenshot(path=os.path.join(shots, "status-resource.png"), full_page=True)
                phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
                small = phone.new_page()
                small.goto(base + f"/env/{env}")
                seen["phoneOverflow"] = small.evaluate(
                    "() => document.documentElement.scrollWidth > window.innerWidth + 1")
                phone.close()
            context.close()
        browser.close()
    print(json.dumps(seen))


def file(path, shots):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(offline=True)
        page = context.new_page()
        errors = []
        watched(page, errors)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto("file://" + path)
        table = page.eval_on_selector("form.filter", "f => f.dataset.table")
        select = page.eval_on_selector("form.filter select[name=status]", "s => s.id")
        before = visible_rows(page, table)
        page.select_option("#" + select, "MODIFIED")
        after = visible_rows(page, table)
        out = {"errors": errors, "requests": [r for r in requests if not r.startswith("file://")],
               "text": page.inner_text("body"), "rows": before, "rowsModified": after,
               "axe": axe_findings(page), "pwned": page.evaluate("() => window.pwned === undefined ? null : 1")}
        page.screenshot(path=os.path.join(shots, "status-file.png"), full_page=True)
        browser.close()
    print(json.dumps(out))


def token(base, secret):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context()
        page = context.new_page()
        refused = page.goto(base + "/").status
        refusedJSON = page.goto(base + "/api/status.json").status
        first = page.goto(base + "/?token=" + secret)
        cookies = context.cookies()
        again = page.goto(base + "/api/status.json").status
        out = {"refused": refused, "refusedJSON": refusedJSON, "firstVisit": first.status, "url": page.url,
               "cookies": [{"name": c["name"], "httpOnly": c["httpOnly"], "sameSite": c["sameSite"]} for c in cookies],
               "afterCookie": again}
        browser.close()
    print(json.dumps(out))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "served":
        served(*sys.argv[2:6])
    elif mode == "file":
        file(*sys.argv[2:4])
    else:
        token(*sys.argv[2:4])
