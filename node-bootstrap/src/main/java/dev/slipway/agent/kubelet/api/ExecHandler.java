package dev.slipway.agent.kubelet.api;

import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.agent.runtime.ContainerStatus;
import dev.slipway.agent.runtime.ExecSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /exec/<ns>/<pod>/<container>?command=...&stdin=&stdout=&stderr=&tty=} as a WebSocket
 * with Kubernetes' channel protocol ({@code v5.channel.k8s.io}, else {@code v4.channel.k8s.io}):
 * each binary message starts with its channel byte, 0 stdin, 1 stdout, 2 stderr, 3 the final
 * Status (JSON), 4 terminal resize; v5 adds 255 to close a channel (the client's end of stdin).
 */
public final class ExecHandler {

  static final String V5 = "v5.channel.k8s.io";
  static final String V4 = "v4.channel.k8s.io";
  private static final Logger log = LoggerFactory.getLogger(ExecHandler.class);

  private ExecHandler() {}

  static boolean serve(Kubelet kubelet, ServerWebSocketContainer websockets, String path, Request request, Response response,
      Callback callback) {
    var names = PodContainers.names(path, "/exec/");
    if (names.isEmpty()) {
      return KubeletServer.text(response, callback, 400, "expected /exec/<namespace>/<pod>/<container>");
    }
    String[] n = names.get();
    Fields query = Request.extractQueryParameters(request);
    List<String> command = query.getValues("command");
    if (command == null || command.isEmpty()) {
      return KubeletServer.text(response, callback, 400, "exec needs at least one command parameter");
    }
    Optional<ContainerStatus> running = PodContainers.attempts(kubelet, n[0], n[1], n[2]).stream().filter(ContainerStatus::running).findFirst();
    if (running.isEmpty()) {
      return KubeletServer.text(response, callback, 404, "container \"" + n[2] + "\" in pod \"" + n[0] + "/" + n[1] + "\" is not running");
    }
    boolean stdout = !"false".equals(query.getValue("stdout")) && !"0".equals(query.getValue("stdout"));
    boolean stderr = !"false".equals(query.getValue("stderr")) && !"0".equals(query.getValue("stderr"));
    boolean upgraded = websockets.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
      List<String> offered = upgradeRequest.getSubProtocols();
      String protocol = offered.contains(V5) ? V5 : offered.contains(V4) ? V4 : null;
      if (protocol == null) {
        upgradeResponse.setStatus(400);
        upgradeCallback.succeeded();
        return null;
      }
      upgradeResponse.setAcceptedSubProtocol(protocol);
      return new ExecEndpoint(kubelet, running.get().id(), command, stdout, stderr);
    }, request, response, callback);
    if (!upgraded) {
      return KubeletServer.text(response, callback, 400, "exec needs a WebSocket upgrade with subprotocol " + V5 + " or " + V4);
    }
    return true;
  }

  /** One exec: pumps the command's output to the socket and the socket's stdin to the command. */
  public static final class ExecEndpoint implements Session.Listener.AutoDemanding {
    private final Kubelet kubelet;
    private final String containerId;
    private final List<String> command;
    private final boolean stdout;
    private final boolean stderr;
    private volatile Session session;
    private volatile ExecSession exec;

    ExecEndpoint(Kubelet kubelet, String containerId, List<String> command, boolean stdout, boolean stderr) {
      this.kubelet = kubelet;
      this.containerId = containerId;
      this.command = command;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
      this.session = opened;
      try {
        exec = kubelet.runtime().exec(containerId, command);
      } catch (RuntimeException e) {
        send(3, status(-1, "error executing command " + command + ": " + e.getMessage()));
        opened.close(1000, "", org.eclipse.jetty.websocket.api.Callback.NOOP);
        return;
      }
      Thread.ofVirtual().name("exec-" + containerId).start(this::run);
    }

    private void run() {
      Thread out = Thread.ofVirtual().start(() -> pump(exec.stdout(), 1, stdout));
      Thread err = Thread.ofVirtual().start(() -> pump(exec.stderr(), 2, stderr));
      try {
        int code = exec.exitCode().get();
        out.join();
        err.join();
        send(3, status(code, ""));
      } catch (Exception e) {
        send(3, status(-1, "error executing command " + command + ": " + e.getMessage()));
      } finally {
        exec.close();
        session.close(1000, "", org.eclipse.jetty.websocket.api.Callback.NOOP);
      }
    }

    private void pump(InputStream in, int channel, boolean wanted) {
      byte[] buffer = new byte[8192];
      try {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          if (wanted && read > 0) {
            byte[] frame = new byte[read + 1];
            frame[0] = (byte) channel;
            System.arraycopy(buffer, 0, frame, 1, read);
            sendRaw(frame);
          }
        }
      } catch (IOException e) {
        log.debug("exec stream {} ended: {}", channel, e.getMessage());
      }
    }

    private void send(int channel, String text) {
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[body.length + 1];
      frame[0] = (byte) channel;
      System.arraycopy(body, 0, frame, 1, body.length);
      sendRaw(frame);
    }

    // One frame at a time: the channels' pumps share the socket.
    private synchronized void sendRaw(byte[] frame) {
      Session s = session;
      if (s == null || !s.isOpen()) {
        return;
      }
      var done = new org.eclipse.jetty.websocket.api.Callback.Completable();
      s.sendBinary(ByteBuffer.wrap(frame), done);
      try {
        done.get();
      } catch (Exception e) {
        log.debug("exec frame not sent: {}", e.getMessage());
      }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
      try {
        if (payload.remaining() > 0 && exec != null) {
          int channel = payload.get() & 0xff;
          byte[] data = new byte[payload.remaining()];
          payload.get(data);
          if (channel == 0) {
            exec.stdin().write(data);
            exec.stdin().flush();
          } else if (channel == 255 && data.length > 0 && data[0] == 0) {
            exec.stdin().close();
          }
        }
        callback.succeed();
      } catch (IOException e) {
        callback.fail(e);
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      ExecSession running = exec;
      if (running != null) {
        running.close();
      }
    }

    static String status(int exitCode, String error) {
      if (exitCode == 0) {
        return "{\"metadata\":{},\"status\":\"Success\"}";
      }
      if (exitCode > 0) {
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: exit code " + exitCode
            + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + exitCode + "\"}]}}";
      }
      return "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + KubeletServer.JSON.asJson(error) + "}";
    }
  }
}
