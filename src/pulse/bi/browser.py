"""Open the dashboards and the docs site in headless Chromium; report what a person sees.

Runs with the BI venv's Python (it has selenium): `.venv-bi/bin/python -P browser.py`
with a JSON job on stdin, and prints one JSON report on stdout. It drives Debian's
`chromium` through `chromedriver` (no browser download). Judging the report is the
caller's job (src/pulse/bi/check.py); this script only looks and takes screenshots.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from typing import Any

# Per chart holder: its title, whether it still loads, what it drew, any error text.
CHART_STATE_JS = """
return Array.from(document.querySelectorAll('[data-test="dashboard-component-chart-holder"]'))
  .map(h => {
    const title = (h.querySelector('[data-test="editable-title"]') || {}).innerText || '';
    const text = h.innerText || '';
    const canvas = h.querySelectorAll('canvas').length;
    const svgShapes = h.querySelectorAll('svg path, svg rect, svg circle').length;
    const rows = Array.from(h.querySelectorAll('table tbody tr'))
      .map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim()));
    const loading = h.querySelectorAll('.loading, [aria-label="Loading"]').length;
    const errors = Array.from(h.querySelectorAll('[role="alert"], .ant-alert-error'))
      .map(e => e.innerText.trim()).filter(t => t);
    const empty = /No results were returned|No data/i.test(text);
    return {title: title.trim(), canvas, svgShapes, rows, loading, errors, empty};
  });
"""


def _driver(width: int, height: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        raise SystemExit("chromium and chromedriver are needed: run scripts/setup-bi.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def _login(driver: Any, base: str, user: str, password: str, timeout: float) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/login/")
    wait = WebDriverWait(driver, timeout)
    name = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#username")))
    name.send_keys(user)
    secret = driver.find_element(By.CSS_SELECTOR, "#password")
    secret.send_keys(password)
    secret.send_keys(Keys.ENTER)
    wait.until(lambda d: "/login" not in d.current_url)


def _dashboard(driver: Any, base: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Open one dashboard, wait until every chart drew something or failed, screenshot it."""
    t0 = time.monotonic()
    driver.get(f"{base}/superset/dashboard/{spec['slug']}/")
    charts: list[dict[str, Any]] = []
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        charts = driver.execute_script(CHART_STATE_JS)
        settled = [
            c
            for c in charts
            if not c["loading"]
            and (c["errors"] or c["empty"] or c["canvas"] or c["svgShapes"] or c["rows"])
        ]
        if len(charts) >= spec["charts"] and len(settled) == len(charts):
            break
        time.sleep(1.0)
    time.sleep(2.0)  # let the ECharts animations finish before the screenshot
    charts = driver.execute_script(CHART_STATE_JS)
    # Crop the window to the dashboard's content (down to the lowest chart), then shoot.
    bottom, chrome = driver.execute_script(
        "let b = 0;"
        "document.querySelectorAll('[data-test=\"dashboard-component-chart-holder\"]')"
        ".forEach(h => { b = Math.max(b, h.getBoundingClientRect().bottom + window.scrollY); });"
        "return [b, window.outerHeight - window.innerHeight];"
    )
    height = max(900, min(int(bottom) + int(chrome) + 60, 6000)) if bottom else 2600
    driver.set_window_size(spec.get("width", 1600), height)
    time.sleep(2.0)  # charts resize with the window
    driver.save_screenshot(spec["screenshot"])
    return {
        "slug": spec["slug"],
        "seconds": round(time.monotonic() - t0, 1),
        "charts": charts,
        "screenshot": spec["screenshot"],
    }


def _docs(driver: Any, docs: dict[str, Any], timeout: float) -> dict[str, Any]:
    """The dbt docs site: a model page and the full lineage graph."""
    from selenium.webdriver.support.ui import WebDriverWait

    report: dict[str, Any] = {}
    base = docs["url"]
    driver.set_window_size(1600, 1000)
    driver.get(f"{base}/#!/model/{docs['model']}")
    wait = WebDriverWait(driver, timeout)
    with contextlib.suppress(Exception):  # the report says what was (not) there
        wait.until(lambda d: docs["column"] in d.find_element("tag name", "body").text)
    body = driver.find_element("tag name", "body").text
    report["model_page"] = {
        "has_model_name": docs["model"].rsplit(".", 1)[-1] in body,
        "has_column": docs["column"] in body,
        "has_description": docs["description_snippet"] in body,
    }
    driver.save_screenshot(docs["model_screenshot"])
    driver.get("about:blank")  # a fresh load, so the graph opens from the URL
    driver.get(f"{base}/#!/overview?g_v=1")
    graph_js = (
        "const c = Array.from(document.querySelectorAll('canvas'));"
        "return {canvases: c.length, drawn: c.filter(x => x.width > 0 && x.height > 0).length,"
        " text: document.body.innerText.slice(0, 2000)};"
    )
    graph: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    clicked = False
    while time.monotonic() < deadline:
        graph = driver.execute_script(graph_js)
        if graph["drawn"]:
            break
        if not clicked and time.monotonic() > deadline - timeout + 15:
            # The round button at the bottom right opens the full lineage graph.
            driver.execute_script("document.querySelector('.launcher-btn').click()")
            clicked = True
        time.sleep(1.0)
    time.sleep(3.0)  # the graph lays itself out
    driver.save_screenshot(docs["graph_screenshot"])
    report["lineage_graph"] = {
        "opened_by_button": clicked,
        "canvases": graph.get("canvases", 0),
        "drawn": graph.get("drawn", 0),
        "has_select_bar": "--select" in graph.get("text", "")
        or "resource_type" in graph.get("text", ""),
    }
    return report


def main() -> int:
    job = json.load(sys.stdin)
    timeout = float(job.get("timeout", 240))
    driver = _driver(1600, 1200)
    report: dict[str, Any] = {"dashboards": [], "docs": None}
    try:
        _login(driver, job["base_url"], job["user"], job["password"], timeout)
        for spec in job["dashboards"]:
            driver.set_window_size(1600, 2600)
            report["dashboards"].append(_dashboard(driver, job["base_url"], spec, timeout))
        if job.get("docs"):
            report["docs"] = _docs(driver, job["docs"], timeout)
    finally:
        driver.quit()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
