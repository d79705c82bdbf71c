package dev.slipway.agent.kubelet.api;

import dev.slipway.agent.kubelet.Kubelet;
import dev.slipway.agent.kubelet.PodLogs;
import dev.slipway.agent.runtime.ContainerStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** {@code GET /containerLogs/<ns>/<pod>/<container>?follow=&previous=&tailLines=}: the container's log file as text (a CRI log loses its line prefixes). */
final class ContainerLogsHandler {

  private static final Duration FOLLOW_POLL = Duration.ofMillis(200);

  private ContainerLogsHandler() {}

  static boolean serve(Kubelet kubelet, PodLogs logs, String path, Request request, Response response, Callback callback) throws Exception {
    var names = PodContainers.names(path, "/containerLogs/");
    if (names.isEmpty()) {
      return KubeletServer.text(response, callback, 400, "expected /containerLogs/<namespace>/<pod>/<container>");
    }
    String[] n = names.get();
    Fields query = Request.extractQueryParameters(request);
    boolean previous = "true".equals(query.getValue("previous"));
    boolean follow = "true".equals(query.getValue("follow"));
    int tailLines = -1;
    if (query.getValue("tailLines") != null) {
      try {
        tailLines = Integer.parseInt(query.getValue("tailLines"));
      } catch (NumberFormatException e) {
        return KubeletServer.text(response, callback, 400, "tailLines must be a number, got " + query.getValue("tailLines"));
      }
    }
    List<ContainerStatus> attempts = PodContainers.attempts(kubelet, n[0], n[1], n[2]);
    int index = previous ? 1 : 0;
    if (attempts.size() <= index) {
      return KubeletServer.text(response, callback, 404, (previous ? "previous terminated container " : "container ") + "\"" + n[2]
          + "\" in pod \"" + n[1] + "\" not found");
    }
    ContainerStatus container = attempts.get(index);
    Path file = container.logPath();
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    LogDecoder decoder = new LogDecoder(kubelet.runtime().logFormat());
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      long position = 0;
      if (Files.exists(file)) {
        byte[] all = Files.readAllBytes(file);
        byte[] text = decoder.feed(all);
        byte[] shown = tailLines >= 0 ? tail(text, tailLines) : text;
        out.write(shown);
        out.flush();
        position = all.length;
      }
      while (follow && !previous) {
        boolean running = kubelet.runtime().containerStatus(container.id()).map(ContainerStatus::running).orElse(false);
        long grown = Files.exists(file) ? Files.size(file) : position;
        if (grown > position) {
          try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(position);
            byte[] more = new byte[(int) Math.min(grown - position, 1 << 20)];
            raf.readFully(more);
            out.write(decoder.feed(more));
            out.flush();
            position += more.length;
          }
        } else if (!running) {
          break;
        } else {
          Thread.sleep(FOLLOW_POLL);
        }
      }
      callback.succeeded();
    } catch (IOException e) {
      callback.failed(e);
    }
    return true;
  }

  static byte[] tail(byte[] content, int lines) {
    if (lines == 0) {
      return new byte[0];
    }
    String text = new String(content, StandardCharsets.UTF_8);
    List<String> all = text.lines().toList();
    List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
    return last.isEmpty() ? new byte[0] : (String.join("\n", last) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
