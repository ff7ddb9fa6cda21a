package meservice.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy in front of PostgreSQL that reads the frontend protocol it forwards and records
 * every simple-protocol query ({@code Q} message) with the {@code application_name} of the
 * connection that sent it: a count of real round trips, as the database sees them.
 *
 * <p>It also counts executions of prepared statements ({@link #executions}): the extended
 * protocol parses a statement once per connection ({@code P}: name and text) and then binds it
 * once per execution ({@code B}: portal, then statement name), so each {@code B} is one execution
 * of the text its connection last parsed under that name.
 */
public final class QueryCountingProxy implements AutoCloseable {

  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;

  public record Query(String applicationName, String sql) {}

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "query-counting-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Query> queries = new CopyOnWriteArrayList<>();
  /** One per {@code B} message: the text of the statement bound. */
  private final List<Query> executions = new CopyOnWriteArrayList<>();

  private QueryCountingProxy(String databaseUrl) throws IOException {
    URI uri = URI.create(databaseUrl);
    this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** A proxy to the database of {@code databaseUrl}; {@link #url} is the same URL through it. */
  public static QueryCountingProxy to(String databaseUrl) throws IOException {
    return new QueryCountingProxy(databaseUrl);
  }

  public String url(String databaseUrl) {
    URI uri = URI.create(databaseUrl);
    return databaseUrl.replace(uri.getHost() + ":" + uri.getPort(), "127.0.0.1:" + server.getLocalPort());
  }

  /** Queries with this text sent so far by connections whose application_name is not {@code except}. */
  public long count(String sql, String except) {
    return queries.stream().filter(q -> q.sql().equals(sql) && !except.equals(q.applicationName())).count();
  }

  /** Executions of the prepared statement with this text (any connection) so far. */
  public long executions(String sql) {
    return executions.stream().filter(q -> q.sql().equals(sql)).count();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket backend = new Socket();
        backend.connect(target);
        sockets.add(client);
        sockets.add(backend);
        InputStream fromBackend = backend.getInputStream();
        OutputStream toClient = client.getOutputStream();
        threads.execute(() -> pipe(fromBackend, toClient, client, backend));
        threads.execute(() -> frontend(client, backend));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void frontend(Socket client, Socket backend) {
    try (DataInputStream in = new DataInputStream(client.getInputStream())) {
      OutputStream out = backend.getOutputStream();
      String applicationName = "";
      // This connection's prepared statements, by name ("" is the unnamed one).
      Map<String, String> parsed = new HashMap<>();
      // Untyped start-up messages: SSL or GSS requests (answered by one byte), then the startup message.
      while (true) {
        int length = in.readInt();
        byte[] body = in.readNBytes(length - 4);
        forward(out, null, length, body);
        int code = (body[0] & 0xff) << 24 | (body[1] & 0xff) << 16 | (body[2] & 0xff) << 8 | (body[3] & 0xff);
        if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
          applicationName = parameter(body, "application_name");
          break;
        }
      }
      while (true) {
        int type = in.read();
        if (type < 0) {
          return;
        }
        int length = in.readInt();
        byte[] body = in.readNBytes(length - 4);
        if (type == 'Q') {
          queries.add(new Query(applicationName, new String(body, 0, body.length - 1, StandardCharsets.UTF_8)));
        } else if (type == 'P') {
          String[] nameAndText = cstrings(body, 2);
          parsed.put(nameAndText[0], nameAndText[1]);
        } else if (type == 'B') {
          String statement = cstrings(body, 2)[1];
          executions.add(new Query(applicationName, parsed.getOrDefault(statement, "")));
        }
        forward(out, (byte) type, length, body);
      }
    } catch (IOException e) {
      // A side closed: close the other.
    } finally {
      closeQuietly(client, backend);
    }
  }

  private static void forward(OutputStream out, Byte type, int length, byte[] body) throws IOException {
    byte[] frame = new byte[(type == null ? 0 : 1) + 4 + body.length];
    int i = 0;
    if (type != null) {
      frame[i++] = type;
    }
    frame[i++] = (byte) (length >>> 24);
    frame[i++] = (byte) (length >>> 16);
    frame[i++] = (byte) (length >>> 8);
    frame[i++] = (byte) length;
    System.arraycopy(body, 0, frame, i, body.length);
    out.write(frame);
    out.flush();
  }

  /** The first {@code n} NUL-terminated strings of a message body. */
  private static String[] cstrings(byte[] body, int n) {
    String[] strings = new String[n];
    int start = 0;
    for (int i = 0; i < n; i++) {
      int end = start;
      while (body[end] != 0) {
        end++;
      }
      strings[i] = new String(body, start, end - start, StandardCharsets.UTF_8);
      start = end + 1;
    }
    return strings;
  }

  /** A startup message's parameters: protocol version, then name\0value\0 pairs. */
  private static String parameter(byte[] body, String name) {
    String[] parts = new String(body, 4, body.length - 4, StandardCharsets.UTF_8).split("\0");
    for (int i = 0; i + 1 < parts.length; i += 2) {
      if (parts[i].equals(name)) {
        return parts[i + 1];
      }
    }
    return "";
  }

  private void pipe(InputStream in, OutputStream out, Socket a, Socket b) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // A side closed: close the other.
    } finally {
      closeQuietly(a, b);
    }
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(QueryCountingProxy::closeQuietly);
    threads.shutdownNow();
  }
}
