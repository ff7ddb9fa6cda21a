package meservice.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/** An embedded PostgreSQL whose data lives under a directory and survives restarts. */
public final class DevDatabase implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private DevDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL on a free port; {@code dataDirectory} is created on first use and kept. */
  public static DevDatabase start(Path dataDirectory, boolean keepData) throws IOException {
    return start(dataDirectory, keepData, 0);
  }

  /** As above on a given port ({@code 0}: any free one), e.g. to restart a database where it was. */
  public static DevDatabase start(Path dataDirectory, boolean keepData, int port) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setCleanDataDirectory(!keepData)
        .setServerConfig("max_connections", "200");
    if (dataDirectory != null) {
      builder.setDataDirectory(dataDirectory);
    }
    if (port != 0) {
      builder.setPort(port);
    }
    return new DevDatabase(builder.start());
  }

  public String url() {
    return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
