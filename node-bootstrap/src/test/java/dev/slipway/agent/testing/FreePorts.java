package dev.slipway.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free ports on a loopback address, so tests can run beside other tests. They come from below the
 * kernel's ephemeral range (32768-60999 unless configured otherwise), from which it picks the local
 * port of every outgoing connection: a test that closes a listener and opens it again on the same
 * port (an agent restarting) would otherwise find it taken, now and then, by a connection made in
 * between. A port is handed out at most once per test JVM, and only after a probe found it free.
 */
public final class FreePorts {

  private static final int FIRST = 20_000;
  private static final int LAST = 32_767;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  // Test JVMs started side by side begin at different places, so that they seldom probe the same ports.
  private static final AtomicInteger NEXT = new AtomicInteger((int) (ProcessHandle.current().pid() * 97 % (LAST - FIRST + 1)));

  private FreePorts() {}

  public static int on(String address) {
    for (int tries = 0; tries <= LAST - FIRST; tries++) {
      int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), LAST - FIRST + 1);
      if (!HANDED_OUT.contains(port) && free(address, port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port on " + address + " between " + FIRST + " and " + LAST);
  }

  private static boolean free(String address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
