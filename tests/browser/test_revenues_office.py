"""The revenues back office in headless Chromium: a manager reads the collection report, checks a bad year is an error on its
field, and opens the recovery review queue and the refunds page; every page passes axe-core."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_desk import BASE, accessible, browser, shot, sign_in  # noqa: F401  (browser is a fixture)


def test_manager_reads_collection_reviews_recovery_and_refunds(browser):
    sign_in(browser, "burnley.manager")
    browser.get(BASE + "/desk")
    browser.find_element(By.LINK_TEXT, "Collection report").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Collection report"
    year = browser.find_element(By.ID, "year")
    year.clear()
    year.send_keys("2026")
    browser.find_element(By.XPATH, "//button[normalize-space()='Show the report']").click()
    # The page before already shows this year's report: wait for the new one, or the old page's elements go stale.
    WebDriverWait(browser, 15).until(lambda d: "year=2026" in d.current_url)
    headline = browser.find_element(By.ID, "headline").text
    assert "Collection rate (BVPI 9)" in headline and "%" in headline
    assert browser.find_elements(By.CSS_SELECTOR, "#arrears tbody tr"), "the demo bills two years"
    accessible(browser)
    shot(browser, "revenues-collection.png")

    year = browser.find_element(By.ID, "year")
    year.clear()
    year.send_keys("twenty")
    browser.find_element(By.XPATH, "//button[normalize-space()='Show the report']").click()
    WebDriverWait(browser, 15).until(lambda d: "year=twenty" in d.current_url)
    summary = browser.find_element(By.CSS_SELECTOR, ".th-error-summary")
    summary.find_element(By.CSS_SELECTOR, "a[href='#year']")
    assert browser.title.startswith("Error:")
    accessible(browser)

    browser.get(BASE + "/desk")
    browser.find_element(By.LINK_TEXT, "Recovery to review").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Recovery to review"
    accessible(browser)
    shot(browser, "revenues-recovery.png")

    browser.get(BASE + "/desk")
    browser.find_element(By.LINK_TEXT, "Refunds").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Refunds"
    assert browser.find_element(By.XPATH, "//button[normalize-space()='Make the BACS file']")
    accessible(browser)
