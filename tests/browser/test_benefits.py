"""The benefits checker in headless Chromium: a resident fills the form without JavaScript and reads what they could get,
with the workings; a mistake is named beside its field; an agent reaches the checker from the desk."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def fill(driver, **values):
    for name, value in values.items():
        box = driver.find_element(By.ID, name)
        box.clear()
        box.send_keys(value)


def step(driver, action, status):
    """Records a step on the claim page and waits for the page that shows it (the click navigates)."""
    driver.find_element(By.ID, f"action-{action}").click()
    driver.find_element(By.CSS_SELECTOR, "form[action$='/steps'] button").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "claim-status")
                                    and d.find_element(By.ID, "claim-status").text == status)


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


def test_an_agent_takes_a_claim_from_a_check_and_an_officer_decides_it_onto_the_bill(browser):
    # The agent: a resident on the phone, their record, a check, and the check turned into a claim without re-keying.
    sign_in(browser, "burnley.agent")
    box = browser.find_element(By.ID, "q")
    box.send_keys("jon smyth")
    box.submit()
    browser.find_element(By.CSS_SELECTOR, "table.th-table tbody tr td a").click()
    panel = browser.find_element(By.ID, "panel-benefits")
    panel.find_element(By.LINK_TEXT, "Check eligibility").click()
    fill(browser, council="Burnley", rent="5200", bedrooms="1", age="70", state_pension="9000")
    browser.find_element(By.ID, "tenure-social_rent").click()
    browser.find_element(By.CSS_SELECTOR, "form[action='/benefits/check'] button").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.LINK_TEXT, "Turn this into a claim"))
    browser.find_element(By.LINK_TEXT, "Turn this into a claim").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Take a benefits claim"
    assert browser.find_element(By.ID, "age").get_attribute("value") == "70"
    assert Select(browser.find_element(By.ID, "account")).first_selected_option.get_attribute("value") != ""
    accessible(browser)
    # A date in the future is refused beside its field, and what was typed stays.
    fill(browser, received_on="2099-01-01")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/claims/new'] button").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.ID, "received_on-error"))
    assert "after today" in browser.find_element(By.ID, "received_on-error").text
    assert browser.find_element(By.ID, "state_pension").get_attribute("value") == "9000"
    accessible(browser)
    browser.find_element(By.ID, "received_on").clear()
    browser.find_element(By.CSS_SELECTOR, "form[action$='/claims/new'] button").click()
    WebDriverWait(browser, 15).until(lambda d: "taken=1" in d.current_url)
    assert "Claim taken." in browser.page_source
    reference = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("Claim ")
    claim = browser.current_url.split("?")[0]
    # An agent takes claims; assessing them is the benefits team's.
    assert not browser.find_elements(By.ID, "action-assess")
    accessible(browser)

    # The officer: the claim is in the queue; assess, then decide; the council tax account gets a new bill.
    browser.delete_all_cookies()
    sign_in(browser, "burnley.officer")
    browser.find_element(By.LINK_TEXT, "Benefit claims").click()
    assert reference in browser.find_element(By.ID, "claims").text
    accessible(browser)
    browser.get(claim)
    step(browser, "assess", "Assessed")
    facts = browser.find_element(By.ID, "claim-facts").text
    assert "Council tax reduction" in facts and "Housing benefit" in facts, facts
    step(browser, "decide", "Decided")
    history = browser.find_element(By.ID, "claim-history").text
    assert "Received" in history and "Assessed" in history and "Decided" in history
    accessible(browser)
    shot(browser, "benefits-claim.png")
    # The decision notice: the award, the workings and the appeal rights, to read or print.
    browser.find_element(By.LINK_TEXT, "The notice, to read or print").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your housing benefit and council tax reduction decision"
    decision = browser.find_element(By.ID, "decision").text
    assert "Council Tax Reduction" in decision and "a year" in decision, decision
    assert "Valuation Tribunal" in browser.page_source and "First-tier Tribunal" in browser.page_source
    accessible(browser)
    shot(browser, "benefits-notice.png")
    browser.back()
    browser.find_element(By.LINK_TEXT, "The account and its bills").click()
    browser.find_element(By.CSS_SELECTOR, "#bills a").click()
    assert "less council tax reduction" in browser.page_source
    accessible(browser)

    # NI 181: the month's figures, as a chart and a table.
    browser.get(f"{BASE}/desk/benefits/speed-of-processing")
    assert browser.find_element(By.CSS_SELECTOR, "svg.th-chart")
    assert "All months" in browser.find_element(By.ID, "speed").text
    assert "Decided" in browser.find_element(By.ID, "caseload").text
    accessible(browser)
