"""The citizen portal in headless Chromium: report fly-tipping anonymously with a photo, without JavaScript-only controls,
then track it by its reference. axe-core runs on every page."""
import os
import tempfile

from selenium.webdriver.common.by import By

from test_cases import submit
from test_desk import BASE, accessible, browser, shot  # noqa: F401  (browser is a fixture)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


def test_citizen_reports_fly_tipping_and_tracks_it(browser):
    browser.get(BASE + "/")
    browser.find_element(By.LINK_TEXT, "Report a problem").click()
    accessible(browser)
    # Continuing without a choice is an error on the question.
    submit(browser, "button[type=submit]")
    assert browser.title.startswith("Error: ")
    assert browser.find_element(By.ID, "service-error").is_displayed()
    accessible(browser)
    browser.find_element(By.ID, "service-587").click()
    shot(browser, "report-start.png")
    submit(browser, "button[type=submit]")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Fly-tipping"

    # Send it without answering the required questions: the answers given so far are kept.
    browser.find_element(By.ID, "postcode").send_keys("BB11 2BD")
    browser.find_element(By.ID, "where").send_keys("The alley behind Parker Street")
    submit(browser, "form[action='/report/details'] button[type=submit]")
    assert browser.title.startswith("Error: ")
    link = browser.find_element(By.CSS_SELECTOR, ".th-error-summary a")
    assert link.get_attribute("href").endswith("#attribute-waste_type")
    assert browser.find_element(By.ID, "where").get_attribute("value") == "The alley behind Parker Street"
    accessible(browser)

    browser.find_element(By.CSS_SELECTOR, "input[name='attribute[waste_type]'][value='furniture']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='attribute[quantity]'][value='car_boot']").click()
    browser.find_element(By.ID, "description").send_keys("An old sofa and a mattress")
    browser.find_element(By.ID, "email").send_keys("resident@example.com")
    shot(browser, "report-details.png")
    submit(browser, "form[action='/report/details'] button[type=submit]")

    # Check your answers: each answer with a Change button; Change goes back with everything kept.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Check your answers"
    answers = browser.find_element(By.CSS_SELECTOR, "dl.th-check-answers").text
    assert "Furniture or mattresses" in answers and "An old sofa and a mattress" in answers and "resident@example.com" in answers
    assert "Burnley Borough Council will deal with it." in browser.page_source
    accessible(browser)
    submit(browser, "button[formaction='/report/change#where']")
    assert browser.find_element(By.ID, "where").get_attribute("value") == "The alley behind Parker Street"
    where = browser.find_element(By.ID, "where")
    where.clear()
    where.send_keys("The alley behind 12 Parker Street")
    submit(browser, "form[action='/report/details'] button[type=submit]")
    assert "The alley behind 12 Parker Street" in browser.find_element(By.CSS_SELECTOR, "dl.th-check-answers").text

    # The photo is added on the check page, then the report is sent.
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(PNG)
    try:
        browser.find_element(By.ID, "photo").send_keys(f.name)
        shot(browser, "report-check.png")
        submit(browser, "form[action='/report/send'] > button.th-button")
    finally:
        os.unlink(f.name)

    panel = browser.find_element(By.CSS_SELECTOR, ".th-panel--confirmation")
    assert "Report sent" in panel.text
    reference = panel.find_element(By.TAG_NAME, "strong").text
    assert reference.startswith("TH-")
    assert "Burnley Borough Council will deal with your Fly-tipping report" in browser.page_source
    accessible(browser)
    shot(browser, "report-done.png")

    link = browser.find_element(By.LINK_TEXT, "Track this report")
    link.click()
    heading = browser.find_element(By.CSS_SELECTOR, "h2.th-heading-m").text
    assert heading == f"Fly-tipping – {reference}", heading
    accessible(browser)
