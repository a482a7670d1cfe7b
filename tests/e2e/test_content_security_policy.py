"""The pages work under the app's own Content-Security-Policy (no 'unsafe-eval', inline
scripts only by hash): nothing is refused, every chart is drawn, and the policy holds."""

import pytest

from tests.e2e.conftest import PageProblems


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/mal/1", "/mal/3", "/utforska?kpi=N00640",
                                  "/logga-in"])
def test_pages_work_under_the_content_security_policy(visits, server_url, path):
    page = visits.new_page("desktop-csp")
    problems = PageProblems(page)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(server_url + path, wait_until="networkidle")
        assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
        page.wait_for_selector("main h1")
        if path.startswith(("/mal/", "/utforska")):
            page.wait_for_selector("main .js-plotly-plot .main-svg .gtitle")
        page.wait_for_load_state("networkidle")
        assert violations == []
        assert problems.messages == []
        # The policy is in force: an injected inline script does not run.
        blocked = page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = "document.body.dataset.injected = 'ja'";
            document.body.appendChild(s); return document.body.dataset.injected || ''; }""")
        assert blocked == ""
    finally:
        page.close()
