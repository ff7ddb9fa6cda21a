package meservice.reliability;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import meservice.support.Api;
import meservice.support.Api.Response;

/**
 * Client threads that each send requests back to back until stopped, recording every outcome
 * with its start and end time, so a test can ask what the service answered in each phase.
 */
final class Traffic implements AutoCloseable {

  /** One client of the load: sends its next request when asked. */
  interface Client {
    Response send(Api api, long sequence);
  }

  /**
   * One request as the client saw it. {@code status} is -1 when the exchange failed (the
   * connection was reset or the client timed out). Times are {@link System#nanoTime()}.
   */
  record Sample(int thread, long start, long end, int status, String code, String retryAfter,
      String requestId, String errorRequestId) {

    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(end - start);
    }

    boolean is503InTheEnvelope() {
      return status == 503 && "UNAVAILABLE".equals(code) && retryAfter != null
          && requestId != null && requestId.equals(errorRequestId);
    }

    @Override
    public String toString() {
      return "thread " + thread + ": " + status + " " + code + " in " + millis() + " ms";
    }
  }

  private final ExecutorService threads;
  private final List<Future<?>> running = new ArrayList<>();
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Traffic(int clients) {
    this.threads = Executors.newFixedThreadPool(clients);
  }

  /** Starts {@code clients} threads; thread {@code i} sends through {@code client.apply(i)}. */
  static Traffic start(Api api, int clients, IntFunction<Client> client) {
    Traffic traffic = new Traffic(clients);
    for (int i = 0; i < clients; i++) {
      int thread = i;
      Client each = client.apply(i);
      traffic.running.add(traffic.threads.submit(() -> {
        for (long sequence = 0; !traffic.stopped.get(); sequence++) {
          traffic.samples.add(send(api, each, thread, sequence));
        }
      }));
    }
    return traffic;
  }

  private static Sample send(Api api, Client client, int thread, long sequence) {
    long start = System.nanoTime();
    try {
      Response response = client.send(api, sequence);
      String code = null;
      String errorRequestId = null;
      if (response.status() >= 400 && response.text().startsWith("{")) {
        code = response.error().getString("code");
        errorRequestId = response.error().getString("request_id");
      }
      return new Sample(thread, start, System.nanoTime(), response.status(), code,
          response.header("Retry-After"), response.header("X-Request-Id"), errorRequestId);
    } catch (UncheckedIOException e) {
      return new Sample(thread, start, System.nanoTime(), -1, e.getCause().toString(), null, null, null);
    }
  }

  /** The samples so far, in completion order. */
  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Samples whose request started at or after {@code nanos}. */
  List<Sample> startedAfter(long nanos) {
    return samples().stream().filter(s -> s.start() >= nanos).toList();
  }

  /**
   * Waits until every client thread has completed a request that started at or after
   * {@code nanos} and matches {@code wanted}; false when {@code timeoutMillis} passes first.
   */
  boolean awaitEveryThread(long nanos, Predicate<Sample> wanted, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      long threadsSeen = startedAfter(nanos).stream().filter(wanted).mapToInt(Sample::thread).distinct().count();
      if (threadsSeen == running.size()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Stops sending and waits for the requests in flight. */
  @Override
  public void close() throws Exception {
    stopped.set(true);
    for (Future<?> thread : running) {
      thread.get(30, TimeUnit.SECONDS);
    }
    threads.shutdownNow();
  }
}
