"""Take docs/app.png: the app after a generation on the bundled sample, in headless Chromium."""

import shutil
import socket
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from expotion.app import launch, shutdown

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = launch("127.0.0.1", port, block=False)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--window-size=1400,1500", f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        browser.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(browser, 120)
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "input[type=file]"))).send_keys(str(ROOT / "examples" / "sample.mp4"))
        box = browser.find_element(By.CSS_SELECTOR, "textarea")
        box.send_keys("Upbeat funk with slap bass, brass stabs and a tight drum groove")
        browser.find_element(By.ID, "generate").click()
        player = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#result video")))
        wait.until(lambda _: player.get_attribute("src"))
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "img[src*='png']")))
        (ROOT / "docs").mkdir(exist_ok=True)
        browser.save_screenshot(str(ROOT / "docs" / "app.png"))
        print(ROOT / "docs" / "app.png")
    finally:
        browser.quit()
        shutdown(app)
