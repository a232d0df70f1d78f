package dev.udpecho.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape of a {@code /metrics} endpoint, parsed from the Prometheus text format: every sample by its name and
 * labels as written, e.g. {@code udpecho_datagrams_dropped_total{reason="oversize"}}. For tests.
 */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)");
    /** Between two scrapes of {@link #scrapeUntil}: a counter moves within microseconds of the reply. */
    private static final long POLL_MILLIS = 5;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, Double> samples;
    private final String text;

    private PrometheusText(String text) {
        this.text = text;
        this.samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            samples.put(m.group(1), Double.parseDouble(m.group(2)));
        }
    }

    /** @param text a scrape's body. @return it parsed. */
    public static PrometheusText parse(String text) {
        return new PrometheusText(text);
    }

    /** @param url e.g. {@code http://127.0.0.1:9888/metrics}. @return the scrape, checked to be 200 and text. */
    public static PrometheusText scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url);
        if (response.statusCode() != 200) {
            throw new AssertionError(url + " answered " + response.statusCode() + ": " + response.body());
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/plain")) {
            throw new AssertionError(url + " answered " + type);
        }
        return parse(response.body());
    }

    /**
     * Scrapes {@code url} until {@code done} holds of the scrape, or {@code timeout} passed.
     *
     * <p>A poll, because nothing announces that a counter moved: the server counts a reply on its event loop once
     * the kernel took it, which can be just after the client read that reply, and the endpoint only answers scrapes.
     *
     * @return the first scrape {@code done} holds of; at the deadline the last one, for the caller's assertions to
     * show what it held.
     */
    public static PrometheusText scrapeUntil(String url, Predicate<PrometheusText> done, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        PrometheusText scrape = scrape(url);
        while (!done.test(scrape) && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
            scrape = scrape(url);
        }
        return scrape;
    }

    /** @param url any URL. @return the response to a GET, whatever its status. */
    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @param sample a name with its labels as written. @return its value; fails if absent. */
    public double value(String sample) {
        Double v = samples.get(sample);
        if (v == null) {
            throw new AssertionError("no sample " + sample + " in\n" + text);
        }
        return v;
    }

    /** @param sample a name with its labels as written. @return its value as a whole number. */
    public long count(String sample) {
        return (long) value(sample);
    }

    /** @return every sample. */
    public Map<String, Double> samples() {
        return samples;
    }

    /** @return the scrape as received. */
    public String text() {
        return text;
    }
}
