package dev.txkit.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/** Draws the report's charts with JFreeChart and writes them as SVG with JFreeSVG. */
final class Charts {

  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);

  private Charts() {
  }

  /**
   * Goodput over threads, one line per strategy, threads on a log-2 axis.
   *
   * @param file where to write
   * @param title the chart's title
   * @param series strategy id to points {threads, goodput}
   * @param source the command and date that produced the numbers, shown under the title
   * @throws IOException if the file cannot be written
   */
  static void goodput(Path file, String title, Map<String, List<double[]>> series, String source)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey());
      for (double[] p : e.getValue()) {
        if (!Double.isNaN(p[1])) {
          s.add(p[0], p[1]);
        }
      }
      data.addSeries(s);
    }
    LogAxis x = new LogAxis("threads");
    x.setBase(2);
    x.setTickUnit(new NumberTickUnit(1));
    x.setNumberFormatOverride(new DecimalFormat("0"));
    x.setSmallestValue(1);
    NumberAxis y = new NumberAxis("committed transactions per second (median of rounds)");
    y.setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      String id = (String) data.getSeriesKey(i);
      renderer.setSeriesPaint(i, paint(id));
      renderer.setSeriesStroke(i, id.equals("txkit") ? new BasicStroke(3f) : id.equals("pgbench")
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f)
          : new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    style(plot);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    write(file, chart, source);
  }

  /**
   * Throughput ratios to hand-written JDBC, one bar per variant and database, with lines at 1.0 and at the
   * target 0.97.
   *
   * @param file where to write
   * @param title the title
   * @param ratios database to (variant to ratio)
   * @param source the command and date that produced the numbers, shown under the title
   * @throws IOException if the file cannot be written
   */
  static void ratios(Path file, String title, Map<String, Map<String, Double>> ratios, String source)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    ratios.forEach((db, m) -> m.forEach((variant, ratio) -> data.addValue(ratio, db, variant)));
    CategoryAxis x = new CategoryAxis("variant (each divided by its hand-written counterpart)");
    x.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    NumberAxis y = new NumberAxis("throughput ratio (median of rounds)");
    double top = 1.2;
    for (Map<String, Double> m : ratios.values()) {
      for (double v : m.values()) {
        top = Math.max(top, v * 1.1);
      }
    }
    y.setRange(0, top);
    BarRenderer renderer = new BarRenderer();
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.00")));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ValueMarker one = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1f));
    ValueMarker target = new ValueMarker(0.97, new Color(200, 60, 60), new BasicStroke(1f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
    target.setLabel("target 0.97");
    target.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
    target.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
    plot.addRangeMarker(one);
    plot.addRangeMarker(target);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    write(file, chart, source);
  }

  /** Hand-written strategies in warm colours, txkit's in blues, pgbench black; others from a fixed list. */
  private static Color paint(String id) {
    switch (id) {
      case "hand-no-retry":
        return new Color(214, 39, 40);
      case "hand-retry":
        return new Color(255, 127, 14);
      case "hand-backoff":
        return new Color(140, 86, 75);
      case "txkit":
        return new Color(31, 119, 180);
      case "txkit-limit-only":
        return new Color(70, 90, 200);
      case "txkit-escalation-only":
        return new Color(120, 170, 220);
      case "txkit-no-control":
        return new Color(23, 190, 207);
      case "pgbench":
        return Color.BLACK;
      default:
        Color[] more = {new Color(44, 160, 44), new Color(148, 103, 189), new Color(227, 119, 194)};
        return more[Math.floorMod(id.hashCode(), more.length)];
    }
  }

  private static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
  }

  private static void write(Path file, JFreeChart chart, String source) throws IOException {
    TextTitle subtitle = new TextTitle(source, new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    subtitle.setPaint(Color.DARK_GRAY);
    chart.addSubtitle(0, subtitle);
    chart.setBackgroundPaint(Color.WHITE);
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
    Files.writeString(file, g.getSVGDocument() + "\n", StandardCharsets.UTF_8);
  }
}
