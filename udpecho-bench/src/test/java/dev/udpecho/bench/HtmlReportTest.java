package dev.udpecho.bench;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The time charts' axes, read back from the SVG as a reader's eye would: where each level starts and ends. */
class HtmlReportTest {
    private static final Tally NONE = new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static Interval step(int index, double end, double seconds, long received, long timedOut) {
        return new Interval(index, end, seconds, received + timedOut, received, timedOut, 40, 90, NONE, 40, 90);
    }

    @Test
    void levelsRunFromZeroSecondsAndTheShorterLastStepIsARateOverItsOwnLength() throws Exception {
        String html = HtmlReport.timeCharts(List.of(step(1, 1, 1, 1000, 0), step(2, 2, 1, 980, 20),
                step(3, 2.5, 0.5, 500, 0)));
        List<Document> charts = charts(html);
        assertThat(charts).hasSize(3);
        Axis x = Axis.of(charts.get(0));
        List<double[]> rate = points(charts.get(0), 0);
        assertThat(rate).hasSize(6);
        assertThat(x.seconds(rate.get(0)[0])).as("the first level starts where measuring began").isCloseTo(0, offset(0.01));
        assertThat(x.seconds(rate.get(1)[0])).isCloseTo(1, offset(0.01));
        assertThat(x.seconds(rate.get(4)[0])).isCloseTo(2, offset(0.01));
        assertThat(x.seconds(rate.get(5)[0])).as("the last level ends where the run did").isCloseTo(2.5, offset(0.01));
        assertThat(rate.get(5)[1]).as("500 replies in 0.5 s are as high as 1000 in 1 s").isEqualTo(rate.get(0)[1]);
        assertThat(rate.get(2)[1]).as("980 replies in a second are drawn lower").isGreaterThan(rate.get(0)[1]);
        List<double[]> lost = points(charts.get(1), 0);
        assertThat(lost.get(2)[1]).as("the second's 20 given up").isLessThan(lost.get(0)[1]);
        assertThat(Axis.of(charts.get(2)).seconds(points(charts.get(2), 1).get(0)[0])).isCloseTo(0, offset(0.01));
        assertThat(html).contains("seconds since measuring began", "the last, 0.500 s long, is a rate over its own length")
                .doesNotContain("not drawn");
    }

    @Test
    void aLastStepTooShortForARateIsLeftOutAndSaidSo() throws Exception {
        String html = HtmlReport.timeCharts(List.of(step(1, 1, 1, 1000, 0), step(2, 2, 1, 1000, 0),
                step(3, 2.004, 0.004, 0, 0)));
        Document rates = charts(html).get(0);
        List<double[]> rate = points(rates, 0);
        assertThat(rate).hasSize(4);
        assertThat(rate.get(3)[1]).as("no drop to 0 at the end").isEqualTo(rate.get(0)[1]);
        assertThat(Axis.of(rates).seconds(rate.get(3)[0])).isCloseTo(2, offset(0.01));
        assertThat(html).contains("The last 0.004 s of the run (0 replies, 0 given up) are too short for a rate and are not drawn");
    }

    @Test
    void aRunShorterThanAStepIsDrawnAsItsOneLevel() throws Exception {
        List<double[]> rate = points(charts(HtmlReport.timeCharts(List.of(step(1, 0.3, 0.3, 300, 0)))).get(0), 0);
        assertThat(rate).hasSize(2);
        assertThat(rate.get(0)[1]).isEqualTo(rate.get(1)[1]);
    }

    /** The x axis of a chart: pixel positions of its "N s" tick labels. */
    private record Axis(double x0, double pixelsPerSecond) {
        static Axis of(Document chart) {
            List<double[]> ticks = new ArrayList<>();
            NodeList texts = chart.getElementsByTagName("text");
            for (int i = 0; i < texts.getLength(); i++) {
                Element t = (Element) texts.item(i);
                Matcher m = Pattern.compile("([\\d.]+) s").matcher(t.getTextContent());
                if (m.matches()) {
                    ticks.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(t.getAttribute("x"))});
                }
            }
            assertThat(ticks).hasSizeGreaterThan(1);
            assertThat(ticks.get(0)[0]).as("the axis starts at 0 s").isZero();
            double[] last = ticks.get(ticks.size() - 1);
            return new Axis(ticks.get(0)[1], (last[1] - ticks.get(0)[1]) / last[0]);
        }

        double seconds(double pixel) {
            return (pixel - x0) / pixelsPerSecond;
        }
    }

    private static List<double[]> points(Document chart, int series) {
        String points = ((Element) chart.getElementsByTagName("polyline").item(series)).getAttribute("points");
        List<double[]> xy = new ArrayList<>();
        for (String p : points.trim().split(" ")) {
            String[] c = p.split(",");
            xy.add(new double[] {Double.parseDouble(c[0]), Double.parseDouble(c[1])});
        }
        return xy;
    }

    private static List<Document> charts(String html) throws Exception {
        List<Document> charts = new ArrayList<>();
        Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        while (svg.find()) {
            charts.add(DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8))));
        }
        return charts;
    }
}
