package dev.slipway.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports the kernel just had free on a loopback address, so tests can run beside other tests. */
public final class FreePorts {

  private FreePorts() {}

  public static int on(String address) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + address, e);
    }
  }
}
