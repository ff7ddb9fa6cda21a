package meservice.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import meservice.App;
import meservice.support.Api;
import meservice.support.Api.Response;
import meservice.support.ServedWithJwks;
import meservice.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator documents name only metrics the service exports: docs/runbook.md's alerts, the
 * metrics table of docs/operations.md, the README, RELIABILITY.md and every other docs page are checked against a real scrape of
 * {@code GET /metrics} on the management port, from the service started as {@code serve} starts
 * it ({@link App#vertx()}), on the test PostgreSQL, with keys from a local JWKS so that the JWKS
 * meters exist. And every metric of the service's own is in the runbook, so a new one is not
 * forgotten there.
 *
 * <p>The convention (written at the top of docs/runbook.md): inside code (a backtick span or a
 * fenced block), a lower-case word starting with one of {@link #PREFIXES} is a metric name as
 * exported (a histogram or summary by its base name or with {@code _bucket}, {@code _count},
 * {@code _sum}, {@code _max}); {@code name_*} stands for "some metric named so"; a word ending in
 * {@code _} is a prefix, not a name; labels may follow in braces, and their names must be on the metric.
 */
class RunbookTest {

  /** The families of exported names: the service's own, then Vert.x's pools and the JVM's. */
  static final List<String> OWN_PREFIXES = List.of("http_server_", "auth_", "jwks_", "me_service_", "log_lines_",
      "db_", "user_cache_");
  static final List<String> PREFIXES = concat(OWN_PREFIXES, List.of("vertx_", "jvm_", "process_"));
  private static final List<String> SUFFIXES = List.of("", "_bucket", "_count", "_sum", "_max", "_total");
  private static final Pattern FENCED = Pattern.compile("```.*?```", Pattern.DOTALL);
  private static final Pattern SPAN = Pattern.compile("`([^`\n]+)`");
  private static final Pattern NAME = Pattern.compile(
      "(?<![A-Za-z0-9_./-])((?:" + String.join("|", PREFIXES) + ")[a-z0-9_]*\\*?)(\\{[^}]*\\})?");
  private static final Pattern LABEL = Pattern.compile("^\\s*([a-zA-Z_][a-zA-Z0-9_]*)");

  private static ServedWithJwks service;
  private static Scrape scrape;

  @BeforeAll
  static void start() {
    service = ServedWithJwks.start();
    Api api = service.api();
    // One GET, so that the request timer and the read batches have a series.
    assertEquals(200, api.get(Tokens.session(Tokens.newUserId())).status());
    Response metrics = api.metrics();
    assertEquals(200, metrics.status());
    scrape = Scrape.parse(metrics.text());
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void everyMetricTheRunbookNamesIsExportedWithItsLabels() throws IOException {
    Map<String, Set<String>> named = mentioned(Path.of("docs/runbook.md"));

    assertTrue(named.size() >= 15, "the runbook names a metric in each alert; parsed only " + named.keySet());
    assertEquals(List.of(), scrape.problems(named), "docs/runbook.md");
  }

  @Test
  void everyMetricOfTheServiceIsInTheRunbook() throws IOException {
    Map<String, Set<String>> named = mentioned(Path.of("docs/runbook.md"));
    List<String> missing = new ArrayList<>();
    for (String family : scrape.families()) {
      boolean own = OWN_PREFIXES.stream().anyMatch(family::startsWith);
      if (own && named.keySet().stream().noneMatch(name -> Scrape.sameFamily(name, family))) {
        missing.add(family);
      }
    }

    assertEquals(List.of(), missing, "exported but not in docs/runbook.md (give each its alert or its line)");
  }

  @Test
  void everyMetricTheOperationsPageNamesIsExported() throws IOException {
    Map<String, Set<String>> named = mentioned(Path.of("docs/operations.md"));

    assertTrue(named.size() >= 15, "the operations page lists the metrics; parsed only " + named.keySet());
    assertEquals(List.of(), scrape.problems(named), "docs/operations.md");
  }

  @Test
  void everyMetricTheReadmeAndEveryDocsPageNameIsExported() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(Path.of("README.md"), Path.of("RELIABILITY.md")));
    try (var pages = Files.list(Path.of("docs"))) {
      pages.filter(page -> page.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (Path document : documents) {
      List<String> found = scrape.problems(mentioned(document));
      if (!found.isEmpty()) {
        problems.put(document.toString(), found);
      }
    }

    assertEquals(Map.of(), problems);
  }

  @Test
  void theConventionFindsNamesInSpansAndBlocksAndNothingElse() {
    Map<String, Set<String>> named = mentioned("""
        Watch `rate(auth_failures_total{reason="signature", outcome="x"}[5m])` and `jvm_memory_*`.
        ```
        db_read_batch_size_count 3
        ```
        Not code: log_lines_dropped_total. Not a metric: `DB_POOL_SIZE`, `db/Database`, `meservice.access`.
        A prefix, not a name: `user_cache_`.
        """);

    assertEquals(Map.of("auth_failures_total", Set.of("reason", "outcome"), "jvm_memory_*", Set.of(),
        "db_read_batch_size_count", Set.of()), named);
  }

  /** Metric names (with the label names written after them) in the code of {@code file}. */
  static Map<String, Set<String>> mentioned(Path file) throws IOException {
    return mentioned(Files.readString(file));
  }

  static Map<String, Set<String>> mentioned(String markdown) {
    List<String> code = new ArrayList<>();
    Matcher fenced = FENCED.matcher(markdown);
    while (fenced.find()) {
      code.add(fenced.group());
    }
    Matcher span = SPAN.matcher(FENCED.matcher(markdown).replaceAll(""));
    while (span.find()) {
      code.add(span.group(1));
    }
    Map<String, Set<String>> names = new LinkedHashMap<>();
    for (String piece : code) {
      Matcher name = NAME.matcher(piece);
      while (name.find()) {
        if (name.group(1).endsWith("_")) {
          continue; // a prefix, as the convention itself lists them
        }
        Set<String> labels = names.computeIfAbsent(name.group(1), n -> new LinkedHashSet<>());
        if (name.group(2) != null) {
          String inside = name.group(2).substring(1, name.group(2).length() - 1);
          for (String part : inside.split(",")) {
            Matcher label = LABEL.matcher(part);
            if (label.find()) {
              labels.add(label.group(1));
            }
          }
        }
      }
    }
    return names;
  }

  /** The exported series: each sample's name and label names, and the families of the TYPE lines. */
  record Scrape(Map<String, Set<String>> labelsByName, Set<String> families) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s");
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    static Scrape parse(String text) {
      Map<String, Set<String>> labels = new LinkedHashMap<>();
      Set<String> families = new TreeSet<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          families.add(line.split(" ")[2]);
          continue;
        }
        Matcher sample = SAMPLE.matcher(line);
        if (line.startsWith("#") || !sample.find()) {
          continue;
        }
        Set<String> names = labels.computeIfAbsent(sample.group(1), n -> new TreeSet<>());
        if (sample.group(3) != null) {
          Matcher label = SAMPLE_LABEL.matcher(sample.group(3));
          while (label.find()) {
            names.add(label.group(1));
          }
        }
      }
      return new Scrape(labels, families);
    }

    /** What is wrong with the names a document mentions: not exported, or a label the metric lacks. */
    List<String> problems(Map<String, Set<String>> named) {
      List<String> problems = new ArrayList<>();
      named.forEach((name, labels) -> {
        Set<String> exported = labelsOf(name);
        if (exported == null) {
          problems.add(name + ": not exported");
        } else if (!exported.containsAll(labels)) {
          problems.add(name + ": labels " + labels + ", exported " + exported);
        }
      });
      return problems;
    }

    /** The label names of the series {@code name} stands for, or null when none is exported. */
    private Set<String> labelsOf(String name) {
      Set<String> found = null;
      for (Map.Entry<String, Set<String>> series : labelsByName.entrySet()) {
        boolean match = name.endsWith("*")
            ? series.getKey().startsWith(name.substring(0, name.length() - 1))
            : SUFFIXES.stream().anyMatch(suffix -> series.getKey().equals(name + suffix));
        if (match) {
          found = found == null ? new TreeSet<>() : found;
          found.addAll(series.getValue());
        }
      }
      return found;
    }

    /** A mentioned name stands for an exported family: the same once a histogram's or counter's suffix is off. */
    static boolean sameFamily(String mentioned, String family) {
      if (mentioned.endsWith("*")) {
        return family.startsWith(mentioned.substring(0, mentioned.length() - 1));
      }
      return base(mentioned).equals(base(family));
    }

    private static String base(String name) {
      for (String suffix : SUFFIXES) {
        if (!suffix.isEmpty() && name.endsWith(suffix)) {
          return name.substring(0, name.length() - suffix.length());
        }
      }
      return name;
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
