package chaingraph.test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A throw-away Neo4j Community server for chaingraph's database tests.
 *
 * <p>{@code java -jar neo4j-test-server.jar PORT DATADIR [PASSWORD]} starts embedded Neo4j with
 * Bolt on 127.0.0.1:PORT, its files under DATADIR (kept across restarts), auth on and the
 * password of user {@code neo4j} set to PASSWORD (else $NEO4J_PASSWORD, else "test"). Prints
 * {@code ready} on stdout once Bolt accepts connections, and shuts down cleanly on SIGTERM.
 */
public final class Neo4jTestServer {
    private Neo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java -jar neo4j-test-server.jar PORT DATADIR [PASSWORD]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath();
        String password = args.length > 2 ? args[2] : System.getenv().getOrDefault("NEO4J_PASSWORD", "test");
        String pagecache = System.getenv().getOrDefault("NEO4J_TEST_PAGECACHE", "256m");

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0) // wrong-password tests never lock the user
                .setConfig(GraphDatabaseSettings.udc_enabled, false) // no usage reports sent out
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pagecache))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, parseBytes("512m"))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-test-server-shutdown"));

        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            // a restart on the same DATADIR with the same password: Neo4j refuses an unchanged password
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
        waitForBolt(port);
        System.out.println("ready");
        System.out.flush();
        stopped.await();
    }

    private static void waitForBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Bolt does not accept connections on 127.0.0.1:" + port, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static long parseBytes(String text) {
        String t = text.trim().toLowerCase();
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        return Long.parseLong(unit == 1L ? t : t.substring(0, t.length() - 1)) * unit;
    }
}
