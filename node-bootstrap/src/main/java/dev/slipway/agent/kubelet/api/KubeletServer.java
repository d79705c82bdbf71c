package dev.slipway.agent.kubelet.api;

import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.agent.kubelet.PodLogs;
import dev.slipway.controlplane.apiserver.http.HttpsServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The kubelet API on port 10250 over TLS with the node's serving certificate: {@code /healthz}
 * for anyone; {@code /pods}, {@code /containerLogs/...} and {@code /exec/...} (WebSocket,
 * {@code v5.channel.k8s.io} / {@code v4.channel.k8s.io}) only for a client certificate from the
 * cluster CA that is the API server's kubelet client ({@code kube-apiserver-kubelet-client}) or
 * in {@code system:masters}. No SubjectAccessReview: the API server authorizes the user before it
 * proxies {@code pods/log} and {@code pods/exec} here.
 */
public final class KubeletServer implements AutoCloseable {

  static final String APISERVER_CLIENT = "kube-apiserver-kubelet-client";
  static final String MASTERS = "system:masters";
  static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final HttpsServer https;

  private KubeletServer(HttpsServer https) {
    this.https = https;
  }

  public static KubeletServer start(String host, int port, Path servingCert, Path servingKey, Path clusterCa, Kubelet kubelet, PodLogs logs) {
    return new KubeletServer(HttpsServer.start("the kubelet API", "kubelet-api", host, port, servingCert, servingKey, clusterCa, null,
        websockets -> new Routes(kubelet, logs, websockets)));
  }

  public int port() {
    return https.port();
  }

  @Override
  public void close() {
    https.close();
  }

  private static final class Routes extends Handler.Abstract {
    private final Kubelet kubelet;
    private final PodLogs logs;
    private final ServerWebSocketContainer websockets;

    Routes(Kubelet kubelet, PodLogs logs, ServerWebSocketContainer websockets) {
      this.kubelet = kubelet;
      this.logs = logs;
      this.websockets = websockets;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      if (path.equals("/healthz")) {
        boolean healthy = kubelet.healthy(); // asks the runtime: once per request
        return text(response, callback, healthy ? 200 : 500, healthy ? "ok" : "kubelet is not healthy");
      }
      if (!authorized(request)) {
        return text(response, callback, 401, "Unauthorized: the kubelet API accepts the API server's kubelet client certificate only");
      }
      if (path.equals("/pods") || path.equals("/pods/")) {
        List<Pod> pods = kubelet.pods();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(JSON.asJson(new PodListBuilder().withItems(pods).build()).getBytes()), callback);
        return true;
      }
      if (path.startsWith("/containerLogs/")) {
        return ContainerLogsHandler.serve(kubelet, logs, path, request, response, callback);
      }
      if (path.startsWith("/exec/")) {
        return ExecHandler.serve(kubelet, websockets, path, request, response, callback);
      }
      return text(response, callback, 404, "404 page not found");
    }

    private static boolean authorized(Request request) {
      if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) || ssl.peerCertificates() == null
          || ssl.peerCertificates().length == 0) {
        return false;
      }
      X509Certificate client = ssl.peerCertificates()[0];
      try {
        var names = new javax.naming.ldap.LdapName(client.getSubjectX500Principal().getName()).getRdns();
        return names.stream().anyMatch(rdn -> (rdn.getType().equalsIgnoreCase("CN") && APISERVER_CLIENT.equals(rdn.getValue()))
            || (rdn.getType().equalsIgnoreCase("O") && MASTERS.equals(rdn.getValue())));
      } catch (javax.naming.InvalidNameException e) {
        return false;
      }
    }
  }

  static boolean text(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.write(true, ByteBuffer.wrap((body + "\n").getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }
}
