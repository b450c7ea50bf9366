"""Restricted information in headless Chromium: a child-protection flag is hidden from an agent, who sees only the father's
violent marker and what to do; a designated officer reads both after giving a purpose, and the read is in the audit log."""
import json

from selenium.webdriver.common.by import By

from test_cases import submit
from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)
from test_single_view import open_first_person


def open_person(driver, name):
    driver.get(BASE + "/desk")
    open_first_person(driver, name)
    assert driver.find_element(By.TAG_NAME, "h1").text == name


def test_agent_sees_only_the_disclosed_marker(browser):
    sign_in(browser, "burnley.agent")
    open_person(browser, "Dean Hartley")
    panel = browser.find_element(By.ID, "panel-restricted")
    assert "Violent or aggressive behaviour marker" in panel.text
    assert "Do not arrange a home visit" in panel.text
    assert "knife" not in browser.page_source.lower()
    assert not browser.find_elements(By.LINK_TEXT, "View restricted information")
    accessible(browser)

    open_person(browser, "Kai Hartley")
    assert not browser.find_elements(By.ID, "panel-restricted"), "a child-protection plan is not even hinted at"
    assert "Child-protection" not in browser.page_source


def test_designated_officer_reads_flags_for_a_purpose_and_is_audited(browser):
    sign_in(browser, "burnley.safeguarding-officer")
    open_person(browser, "Kai Hartley")
    person_id = browser.current_url.rstrip("/").split("/")[-1].split("?")[0]
    panel = browser.find_element(By.ID, "panel-restricted")
    assert "Child-protection plan" in panel.text
    assert "Jo Ahmed" not in browser.page_source, "details only after a purpose is given"
    panel.find_element(By.LINK_TEXT, "View restricted information").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Restricted information"
    accessible(browser)

    # No purpose: the error summary points at the question, and nothing is shown.
    submit(browser, "form[action$='/restricted'] button[type=submit]")
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert summary.find_element(By.CSS_SELECTOR, "a").get_attribute("href").endswith("#purpose")
    assert "Jo Ahmed" not in browser.page_source
    accessible(browser)

    browser.find_element(By.ID, "purpose-safeguarding_enquiry").click()
    browser.find_element(By.ID, "explanation").send_keys("Strategy meeting with children's social care")
    submit(browser, "form[action$='/restricted'] button[type=submit]")
    card = browser.find_element(By.CSS_SELECTOR, ".th-summary-card")
    assert "Child-protection plan" in card.text
    assert "Jo Ahmed" in card.text
    accessible(browser)
    shot(browser, "restricted-information.png")

    # The auditor finds the read, with who and why.
    browser.delete_all_cookies()
    sign_in(browser, "burnley.auditor")
    browser.get(f"{BASE}/api/v1/audit?action=restricted_read&person_id={person_id}")
    entries = json.loads(browser.find_element(By.TAG_NAME, "pre").text)["items"]
    assert any(e["actor_label"] == "burnley.safeguarding-officer"
               and e["purpose"] == "Safeguarding enquiry or strategy meeting: Strategy meeting with children's social care" for e in entries)
