package meservice.me;

import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import meservice.http.ApiError;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What validating one PATCH body costs the event loop: a body the limit (16 KiB) lets through
 * holding as many unknown keys as fit (the worst case for the error details: 2,000 and more
 * errors), at the top level and under {@code preferences}, against an ordinary valid body.
 * {@link PatchParser#parse} is exactly what {@code PatchValidation} runs on the loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m"})
public class PatchBenchmark {

  static final int BODY_LIMIT = 16 * 1024;

  private PatchParser parser;
  private Buffer unknownFields;
  private Buffer unknownPreferences;
  private Buffer valid;

  @Setup
  public void setUp() {
    parser = new PatchParser(Preferences.REGISTRY);
    unknownFields = Buffer.buffer(fill("{", "}"));
    unknownPreferences = Buffer.buffer(fill("{\"preferences\":{", "}}"));
    valid = Buffer.buffer("{\"preferences\": {\"timezone\": \"America/New_York\"}}");
  }

  /** As many distinct short keys ({@code "a0":0}) as fit in the body limit. */
  static String fill(String open, String close) {
    StringBuilder body = new StringBuilder(open);
    for (int i = 0; ; i++) {
      String member = (i == 0 ? "" : ",") + "\"" + Integer.toString(i, 36) + "\":0";
      if (body.length() + member.length() + close.length() > BODY_LIMIT) {
        return body.append(close).toString();
      }
      body.append(member);
    }
  }

  @Benchmark
  public Object worstBodyUnknownFields() {
    return rejected(unknownFields);
  }

  @Benchmark
  public Object worstBodyUnknownPreferences() {
    return rejected(unknownPreferences);
  }

  @Benchmark
  public Object validBody() {
    // Under 256 bytes a body is remembered after its first parse; this measures the warm path.
    return parser.parse(valid);
  }

  private Object rejected(Buffer body) {
    try {
      return parser.parse(body);
    } catch (ApiError e) {
      return e.details;
    }
  }
}
