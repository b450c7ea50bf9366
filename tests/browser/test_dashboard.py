"""The team leader's dashboard in headless Chromium: the server-drawn charts are images with text alternatives, beside tables
of the same figures, and the page passes axe-core."""
from selenium.webdriver.common.by import By

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def test_team_leader_reads_the_dashboard(browser):
    sign_in(browser, "burnley.team-leader")
    browser.get(BASE + "/desk")
    browser.find_element(By.LINK_TEXT, "Dashboard").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.th-chart[role=img]")
    assert len(charts) == 3
    for chart in charts:
        labelled = chart.get_attribute("aria-labelledby").split()
        assert all(browser.find_element(By.ID, i) for i in labelled)
    open_cases = int(browser.find_elements(By.CSS_SELECTOR, ".th-figure__value")[2].text)
    assert open_cases > 0, "the demo has open cases in Burnley"
    sla = browser.find_element(By.XPATH, "//h2[@id='sla']/following-sibling::table[1]")
    assert sum(int(td.text) for td in sla.find_elements(By.CSS_SELECTOR, "td")) == open_cases
    accessible(browser)
    shot(browser, "dashboard.png")
