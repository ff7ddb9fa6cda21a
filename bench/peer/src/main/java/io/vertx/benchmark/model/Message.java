package io.vertx.benchmark.model;

/** The model of TechEmpower's JSON test: {"message":"Hello, World!"}. */
public final class Message {

  private final String message;

  public Message(String message) {
    this.message = message;
  }

  public String getMessage() {
    return message;
  }
}
