package dev.roster.journey;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through the system chromedriver: nothing is downloaded
 * (the driver executable is given, so Selenium Manager never runs). One per journey class;
 * finds elements the way a user or a screen reader does: by label, role, aria-label and text.
 */
final class HeadlessChromium implements AutoCloseable {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    HeadlessChromium() {
        // Belt and braces: even if something asked Selenium Manager, it must stay offline.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        try {
            Path tmp = Path.of("target", "tmp");
            Files.createDirectories(tmp);
            profile = Files.createTempDirectory(tmp, "chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--window-size=1400,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    static boolean available() {
        return new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    }

    void open(String url) {
        driver.get(url);
    }

    /** The form control a visible label names (label text, then its for= id). */
    WebElement field(String label) {
        WebElement l = driver.findElement(By.xpath("//label[normalize-space()=" + xpathLiteral(label) + "]"));
        return driver.findElement(By.id(l.getAttribute("for")));
    }

    void type(String label, String text) {
        WebElement f = field(label);
        f.clear();
        f.sendKeys(text);
    }

    WebElement button(String text) {
        return driver.findElement(By.xpath("//button[normalize-space()=" + xpathLiteral(text) + "]"));
    }

    WebElement aria(String label) {
        return driver.findElement(By.cssSelector("[aria-label=" + cssLiteral(label) + "]"));
    }

    WebElement link(String text) {
        return driver.findElement(By.linkText(text));
    }

    /** Waits for the heading: after a form post the next page may still be on its way (and a failure shows the page). */
    WebElement heading(String text) {
        return await(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//*[self::h1 or self::h2][normalize-space()=" + xpathLiteral(text) + "]")));
    }

    boolean present(By by) {
        return !driver.findElements(by).isEmpty();
    }

    /** Rows of the table with this aria-label (body rows only). */
    List<WebElement> rows(String tableLabel) {
        return aria(tableLabel).findElements(By.cssSelector("tbody > tr"));
    }

    /** Waits up to 20 s; htmx swaps may replace an element between finding and reading it, so that is retried. */
    <T> T await(ExpectedCondition<T> condition) {
        try {
            return new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(100))
                    .ignoring(StaleElementReferenceException.class).until(condition);
        } catch (TimeoutException e) {
            String text = driver.findElement(By.tagName("body")).getText();
            // The start and the end of the page: a long form (the audit filters) would hide the table otherwise.
            String shown = text.length() <= 3000 ? text : text.substring(0, 1000) + "\n[...]\n" + text.substring(text.length() - 2000);
            throw new AssertionError("timed out on " + driver.getCurrentUrl() + " showing:\n" + shown, e);
        }
    }

    /** Marks the current document; {@link #sameDocument()} then tells an htmx swap from a page load. */
    void markDocument() {
        driver.executeScript("document.documentElement.dataset.journeyMark = 'kept';");
    }

    boolean sameDocument() {
        return "kept".equals(driver.executeScript("return document.documentElement.dataset.journeyMark || ''"));
    }

    /** Console entries since the last call: errors, CSP violations, warnings. */
    List<LogEntry> consoleProblems() {
        List<LogEntry> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue() || e.getMessage().contains("Content Security Policy")) {
                problems.add(e);
            }
        }
        return problems;
    }

    void scrollTo(By by) {
        driver.executeScript("arguments[0].scrollIntoView({block: 'start'});", driver.findElement(by));
    }

    /** Elements wider than the window (they make a horizontal scroll bar). */
    Object overflowing() {
        return driver.executeScript("return Array.from(document.querySelectorAll('body *'))"
                + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                + ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));");
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover profile under target/ is harmless
        }
    }

    static String xpathLiteral(String s) {
        if (!s.contains("'")) {
            return "'" + s + "'";
        }
        return "concat('" + s.replace("'", "', \"'\", '") + "')";
    }

    private static String cssLiteral(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
