package dev.udpecho.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: axes with ticks, one polyline per series, a legend. No scripts, no external fonts.
 * Stateless.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 300;
    private static final int LEFT = 72;
    private static final int RIGHT = 36;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;

    /** One line: points (x[i], y[i]). */
    record Series(String name, String color, double[] x, double[] y) {
    }

    /** A labelled mark on the x axis. */
    record Tick(double at, String label) {
    }

    private SvgChart() {
    }

    /**
     * @param title  above the chart.
     * @param xLabel under the x axis.
     * @param yLabel beside the y axis.
     * @param series the lines; y from 0 up.
     * @param xTicks marks on the x axis, whose span is from the first to the last.
     * @return an {@code <svg>} element.
     */
    static String render(String title, String xLabel, String yLabel, List<Series> series, List<Tick> xTicks) {
        double xMin = xTicks.get(0).at();
        double xMax = Math.max(xTicks.get(xTicks.size() - 1).at(), xMin + 1e-9);
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.y()) {
                if (Double.isFinite(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        double step = niceStep(yMax > 0 ? yMax : 1);
        double yTop = Math.max(step, Math.ceil((yMax > 0 ? yMax : 1) / step) * step);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT,
                HtmlReport.escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT, HtmlReport.escape(title)));
        for (double v = 0; v <= yTop + step / 2; v += step) {
            double y = TOP + plotHeight - v / yTop * plotHeight;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, label(v, step)));
        }
        for (Tick t : xTicks) {
            double x = LEFT + (t.at() - xMin) / (xMax - xMin) * plotWidth;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP, x, TOP + plotHeight, x, TOP + plotHeight + 16, HtmlReport.escape(t.label())));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#888\"/>%n", LEFT, TOP, plotWidth, plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotWidth / 2, HEIGHT - 6, HtmlReport.escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 14 %d)\">%s</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2,
                HtmlReport.escape(yLabel)));
        int legendX = WIDTH - RIGHT - 8;
        for (Series s : series) {
            List<String> points = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    double x = LEFT + (Math.min(Math.max(s.x()[i], xMin), xMax) - xMin) / (xMax - xMin) * plotWidth;
                    double y = TOP + plotHeight - s.y()[i] / yTop * plotHeight;
                    points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                }
            }
            if (points.size() == 1) {
                points.add(points.get(0)); // a single point still draws (as a dot, with the round caps)
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(s.color())
                    .append("\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\" points=\"")
                    .append(String.join(" ", points)).append("\"><title>").append(HtmlReport.escape(s.name()))
                    .append("</title></polyline>\n");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\""
                    + " fill=\"%s\">%s</text>%n", legendX, TOP + 16, s.color(), HtmlReport.escape(s.name())));
            legendX -= 10 + 7 * s.name().length();
        }
        if (series.stream().allMatch(s -> s.x().length == 0)) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" text-anchor=\"middle\""
                    + " fill=\"#888\">no data</text>%n", LEFT + plotWidth / 2, TOP + plotHeight / 2));
        }
        return svg.append("</svg>\n").toString();
    }

    /** @return evenly spaced ticks from 0 to at least {@code max}, labelled by {@code unit}. */
    static List<Tick> linearTicks(double max, String unit) {
        double step = niceStep(max > 0 ? max : 1);
        List<Tick> ticks = new ArrayList<>();
        double top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
        for (double v = 0; v <= top + step / 2; v += step) {
            ticks.add(new Tick(v, label(v, step) + unit));
        }
        return ticks;
    }

    /** @return a step of 1, 2 or 5 times a power of ten giving about five steps up to {@code max}. */
    static double niceStep(double max) {
        double raw = max / 5;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
    }

    private static String label(double v, double step) {
        if (step >= 1) {
            return v >= 1e6 && v % 1e6 == 0 ? String.format(Locale.ROOT, "%.0fM", v / 1e6)
                    : v >= 1e3 && v % 1e3 == 0 ? String.format(Locale.ROOT, "%.0fk", v / 1e3)
                    : String.format(Locale.ROOT, "%.0f", v);
        }
        int decimals = (int) Math.ceil(-Math.log10(step));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
