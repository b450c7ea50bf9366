"""The benefits checker in headless Chromium: a resident fills the form without JavaScript and reads what they could get,
with the workings; a mistake is named beside its field; an agent reaches the checker from the desk."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def fill(driver, **values):
    for name, value in values.items():
        box = driver.find_element(By.ID, name)
        box.clear()
        box.send_keys(value)


def test_a_pensioner_checks_what_they_could_get(browser):
    browser.get(f"{BASE}/benefits/check")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Check what help you could get"
    accessible(browser)
    Select(browser.find_element(By.ID, "year")).select_by_value("2025-26")
    fill(browser, council="Manchester", rent="5200", bedrooms="1", council_tax="1697.91", age="75", state_pension="9000")
    browser.find_element(By.ID, "tenure-social_rent").click()
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    rows = {dt.text: dd.text for dt, dd in zip(browser.find_elements(By.CSS_SELECTOR, ".th-summary-list__key"),
                                               browser.find_elements(By.CSS_SELECTOR, ".th-summary-list__value"))}
    # A State Pension of £9,000 is under the guarantee: Pension Credit tops it up and passports the rest to the maximum.
    assert rows["Housing Benefit"] == "£5,200.00 a year"
    assert rows["Council tax left to pay"] == "£0.00 a year"
    assert rows["Pension Credit"] != "£0.00 a year"
    # The workings open without JavaScript (details/summary).
    browser.find_element(By.CSS_SELECTOR, "#working-housing-benefit summary").click()
    steps = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#working-housing-benefit td")]
    assert any(s.startswith("Guarantee Credit") for s in steps)
    accessible(browser)
    shot(browser, "benefits-check.png")


def test_a_mistake_is_named_beside_its_field(browser):
    browser.get(f"{BASE}/benefits/check?check=1&council=Manchester&council_tax=lots&age=40")
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary a")
    assert summary.get_attribute("href").endswith("#council_tax")
    assert "Enter an amount in pounds" in browser.find_element(By.ID, "council_tax-error").text
    assert browser.title.startswith("Error:")
    accessible(browser)


def test_an_agent_opens_the_checker_from_the_desk(browser):
    sign_in(browser, "burnley.agent")
    browser.find_element(By.LINK_TEXT, "Benefits checker").click()
    assert browser.current_url.endswith("/benefits/check")
