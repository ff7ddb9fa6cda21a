import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cross-instance staleness window of bench/cluster.sh, run beside its load:
 * {@code java bench/tools/Staleness.java TOKENS PORT1,PORT2,PORT3 ROUNDS}.
 *
 * <p>Each round takes a user of TOKENS (users the load does not touch), has every instance read it
 * (so each holds it in its cache), PATCHes it on one instance, and polls the other two directly,
 * back to back, until each serves the new timezone: the window of an instance is from the PATCH's
 * acknowledgement to the arrival of its first answer showing the write. Polling goes on for 100 ms
 * after that: an answer showing the old value then is a stale read after the window. Prints one
 * JSON object: per instance the windows' p50, p99 and max in ms, rounds that never converged
 * within 5 s, and stale reads after the window.
 */
public final class Staleness {

  private static final Pattern ZONE = Pattern.compile("\"timezone\"\\s*:\\s*(null|\"([^\"]*)\")");
  private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
      .filter(z -> z.matches("(Europe|America|Asia|Africa)/[A-Za-z_]+")).sorted().toList();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    List<String> tokens = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).toList();
    int[] ports = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(args[2]);
    Map<Integer, List<Double>> windows = new LinkedHashMap<>();
    Map<Integer, Integer> stale = new LinkedHashMap<>();
    Map<Integer, Integer> neverConverged = new LinkedHashMap<>();
    for (int port : ports) {
      windows.put(port, Collections.synchronizedList(new ArrayList<>()));
      stale.put(port, 0);
      neverConverged.put(port, 0);
    }
    for (int round = 0; round < rounds; round++) {
      String token = tokens.get(round % tokens.size());
      int writer = ports[round % ports.length];
      String zone = ZONES.get(round % ZONES.size());
      for (int port : ports) {
        get(port, token);
      }
      int status = patch(writer, token, zone);
      long acknowledged = System.nanoTime();
      if (status != 200) {
        System.err.println("PATCH on " + writer + " answered " + status + "; round skipped");
        continue;
      }
      List<CompletableFuture<Void>> polls = new ArrayList<>();
      for (int port : ports) {
        if (port == writer) {
          continue;
        }
        polls.add(CompletableFuture.runAsync(() -> {
          long deadline = acknowledged + TimeUnit.SECONDS.toNanos(5);
          long seen = 0;
          while (System.nanoTime() < deadline) {
            String served = get(port, token);
            long now = System.nanoTime();
            if (zone.equals(served)) {
              if (seen == 0) {
                seen = now;
                windows.get(port).add((now - acknowledged) / 1e6);
              }
            } else if (seen != 0) {
              synchronized (stale) {
                stale.merge(port, 1, Integer::sum);
              }
            }
            if (seen != 0 && now - seen > TimeUnit.MILLISECONDS.toNanos(100)) {
              return;
            }
          }
          if (seen == 0) {
            synchronized (neverConverged) {
              neverConverged.merge(port, 1, Integer::sum);
            }
          }
        }));
      }
      CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).join();
      Thread.sleep(20);
    }
    StringBuilder json = new StringBuilder("{\"rounds\":" + rounds + ",\"instances\":{");
    for (int port : ports) {
      List<Double> w = new ArrayList<>(windows.get(port));
      Collections.sort(w);
      json.append('"').append(port).append("\":{\"measured\":").append(w.size())
          .append(",\"p50_ms\":").append(fmt(percentile(w, 0.50)))
          .append(",\"p99_ms\":").append(fmt(percentile(w, 0.99)))
          .append(",\"max_ms\":").append(fmt(w.isEmpty() ? 0 : w.get(w.size() - 1)))
          .append(",\"never_converged\":").append(neverConverged.get(port))
          .append(",\"stale_after_window\":").append(stale.get(port)).append("},");
    }
    json.setLength(json.length() - 1);
    System.out.println(json.append("}}"));
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static String fmt(double ms) {
    return String.format(java.util.Locale.ROOT, "%.1f", ms);
  }

  /** The timezone a GET on {@code port} serves ({@code null}: unset, or no 200). */
  private static String get(int port, String token) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/me"))
        .header("Authorization", "Bearer " + token).GET());
    if (response == null || response.statusCode() != 200) {
      return null;
    }
    Matcher m = ZONE.matcher(response.body());
    return m.find() ? m.group(2) : null;
  }

  private static int patch(int port, String token, String zone) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/me"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"preferences\":{\"timezone\":\"" + zone + "\"}}")));
    return response == null ? -1 : response.statusCode();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }
}
