package meservice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The default number of connections per instance does not grow with the cores the JVM sees: in a
 * container that is often the whole node's, and PostgreSQL's {@code max_connections} is shared by
 * every instance.
 */
@Tag("unit")
class PoolSizingTest {

  @Test
  void writePoolIsEightPerCoreUpToSixteen() {
    assertEquals(8, ConfigLoader.defaultWritePoolSize(1));
    assertEquals(16, ConfigLoader.defaultWritePoolSize(2));
    assertEquals(16, ConfigLoader.defaultWritePoolSize(4));
    assertEquals(16, ConfigLoader.defaultWritePoolSize(64), "a 64-core node: 16, not 512");
  }

  @Test
  void readConnectionsAreOnePerCoreBetweenTwoAndFour() {
    assertEquals(2, ConfigLoader.defaultReadConnections(1));
    assertEquals(2, ConfigLoader.defaultReadConnections(2));
    assertEquals(4, ConfigLoader.defaultReadConnections(4));
    assertEquals(4, ConfigLoader.defaultReadConnections(64));
  }

  @Test
  void anInstanceOn64CoresStaysWithinTwentyOneConnections() {
    int perInstance = ConfigLoader.defaultWritePoolSize(64) + ConfigLoader.defaultReadConnections(64) + 1;
    assertEquals(21, perInstance, "write pool + read connections + the revocation listener");
  }

  @Test
  void explicitSizesWin() {
    AppConfig config = ConfigLoader.load(Map.of("DB_POOL_SIZE", "40", "DB_READ_CONNECTIONS", "6"));
    assertEquals(40, config.database().poolSize());
    assertEquals(6, config.database().readConnections());
  }

  @Test
  void defaultsFollowTheCoresOfThisMachine() {
    int cores = Runtime.getRuntime().availableProcessors();
    AppConfig config = ConfigLoader.load(Map.of());
    assertEquals(ConfigLoader.defaultWritePoolSize(cores), config.database().poolSize());
    assertEquals(ConfigLoader.defaultReadConnections(cores), config.database().readConnections());
    assertEquals(config.database().poolSize() * 64, config.database().limits().maxWaitQueue());
  }
}
