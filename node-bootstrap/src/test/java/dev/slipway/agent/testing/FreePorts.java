package dev.slipway.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports the kernel just had free on a loopback address, so tests can run beside other tests. The
 * kernel may offer a port it offered a moment ago (nothing listens on it yet), so a port is handed
 * out at most once per test JVM: two listeners of one test never get the same port.
 */
public final class FreePorts {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int on(String address) {
    try {
      while (true) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
          if (HANDED_OUT.add(socket.getLocalPort())) {
            return socket.getLocalPort();
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + address, e);
    }
  }
}
