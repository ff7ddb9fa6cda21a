package io.vertx.benchmark;

import io.vertx.core.http.HttpServerRequest;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

public final class Helper {

  private static final SplittableRandom RANDOM = new SplittableRandom();

  private Helper() {
  }

  /**
   * Returns the value of the "queries" getRequest parameter, which is an integer
   * bound between 1 and 500 with a default value of 1.
   *
   * @param request the current HTTP request
   * @return the value of the "queries" parameter
   */
  static int getQueries(HttpServerRequest request) {
    String param = request.getParam("queries");

    if (param == null) {
      return 1;
    }
    try {
      int parsedValue = Integer.parseInt(param);
      return Math.min(500, Math.max(1, parsedValue));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Returns a random integer that is a suitable value for both the {@code id}
   * and {@code randomNumber} properties of a world object.
   *
   * @return a random world number
   */
  static int randomWorld() {
    return 1 + RANDOM.nextInt(10000);
  }
}
