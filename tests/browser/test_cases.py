"""Case journeys in headless Chromium: the team queue, a case page with its timeline and actions, and the public track page."""
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def submit(driver, selector):
    """Clicks a form's submit button and waits for the next page (POST, redirect, GET) to replace this one."""
    button = driver.find_element(By.CSS_SELECTOR, selector)
    button.click()
    WebDriverWait(driver, 15).until(gone(button))


def gone(element):
    """True once `element` has left the document. Mid-navigation Chromium may answer "node does not belong to the
    document" instead of a stale-element error; that means the same thing."""
    def check(_driver):
        try:
            return EC.staleness_of(element)(_driver)
        except WebDriverException:
            return True
    return check


def test_agent_works_a_fly_tipping_case_and_the_customer_tracks_it(browser):
    sign_in(browser, "burnley.agent")
    browser.get(BASE + "/desk/cases")
    accessible(browser)
    Select(browser.find_element(By.ID, "service_code")).select_by_visible_text("Fly-tipping")
    submit(browser, ".th-filters button[type=submit]")
    assert "service_code=587" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows, "the demo has open fly-tipping cases in Burnley"
    assert all("Fly-tipping" in r.text for r in rows)
    shot(browser, "case-queue.png")

    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    link.click()
    WebDriverWait(browser, 15).until(gone(link))
    reference = browser.find_element(By.TAG_NAME, "h1").text
    assert reference.startswith("TH-")
    assert "What has been dumped?" in browser.page_source
    accessible(browser)

    # Without JavaScript-free shortcuts: choose the next status and tell the customer.
    options = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "status")).options]
    target = "resolved" if "resolved" in options else options[0]
    Select(browser.find_element(By.ID, "status")).select_by_value(target)
    browser.find_element(By.ID, "update").send_keys("Our crew cleared it this morning. Thank you for telling us.")
    submit(browser, "form[action$='/status'] button[type=submit]")
    timeline = browser.find_element(By.CSS_SELECTOR, ".th-timeline").text
    assert "Our crew cleared it this morning." in timeline
    accessible(browser)
    shot(browser, "case.png")

    # The customer, not signed in, tracks the report by its reference.
    browser.delete_all_cookies()
    browser.get(BASE + "/track")
    accessible(browser)
    browser.find_element(By.ID, "reference").send_keys(reference.lower())
    submit(browser, "button[type=submit]")
    body = browser.find_element(By.TAG_NAME, "main").text
    assert reference in body
    assert "Our crew cleared it this morning." in body
    assert "Burnley Borough Council" in body
    accessible(browser)
    shot(browser, "track.png")


def test_an_unknown_reference_gets_an_error_summary(browser):
    browser.get(BASE + "/track?reference=TH-26-999999")
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert "We cannot find a report" in summary.text
    assert browser.title.startswith("Error: ")
    assert summary.find_element(By.CSS_SELECTOR, "a").get_attribute("href").endswith("#reference")
    accessible(browser)


def test_an_invalid_action_is_explained_on_the_case_page(browser):
    sign_in(browser, "burnley.agent")
    browser.get(BASE + "/desk/cases?status=open&service_code=587")   # Burnley's own service, so the actions are there
    link = browser.find_elements(By.CSS_SELECTOR, "tbody tr a")[0]
    link.click()
    WebDriverWait(browser, 15).until(gone(link))
    submit(browser, "form[action$='/transfer'] button[type=submit]")
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    assert summary.text
    assert browser.title.startswith("Error: ")
    accessible(browser)
