package dev.slipway.provisioner.etcd;

import dev.slipway.agent.snapshot.EtcdAccess;
import dev.slipway.provisioner.inventory.Host;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running etcd cluster as the provisioner sees it over mutual TLS: per-member health, the
 * member list, member add and remove. Every call is bounded by {@link #CALL_TIMEOUT}.
 */
public final class EtcdCluster implements AutoCloseable {
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  /** One member of the live cluster; {@code name} is empty for a member added but not started yet. */
  public record Member(long id, String name, List<URI> peerUrls) {
    public Member {
      peerUrls = List.copyOf(peerUrls);
    }

    public String hexId() {
      return Long.toHexString(id);
    }
  }

  /** How one member answered a quorum read: its revision when healthy, else why not. */
  public record Health(String host, URI endpoint, boolean healthy, long revision, String error) {}

  private final EtcdAccess access;
  private final Client client;

  private EtcdCluster(EtcdAccess access) {
    this.access = access;
    this.client = access.connect();
  }

  public static EtcdCluster connect(EtcdAccess access) {
    return new EtcdCluster(access);
  }

  /** A quorum read through one member only: as {@code etcdctl endpoint health} judges it. */
  public Health health(Host host, Duration timeout) {
    var endpoint = EtcdEndpoints.clientUrl(host);
    var one = new EtcdAccess(List.of(endpoint), access.caCert(), access.clientCert(), access.clientKey());
    try (var single = one.connect()) {
      var response = single.getKVClient().get(ByteSequence.from("health", StandardCharsets.UTF_8))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Health(host.name(), endpoint, true, response.getHeader().getRevision(), "");
    } catch (ExecutionException e) {
      return new Health(host.name(), endpoint, false, 0, rootMessage(e));
    } catch (TimeoutException e) {
      return new Health(host.name(), endpoint, false, 0, "no answer within " + timeout.toSeconds() + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Health(host.name(), endpoint, false, 0, "interrupted");
    } catch (RuntimeException e) {
      return new Health(host.name(), endpoint, false, 0, rootMessage(e));
    }
  }

  public List<Member> members() {
    return await(client.getClusterClient().listMember(), "list the etcd members").getMembers().stream()
        .map(m -> new Member(m.getId(), m.getName(), m.getPeerURIs())).toList();
  }

  /** The member whose peer URL is this one, if the cluster knows it. */
  public Optional<Member> memberWithPeer(URI peerUrl) {
    return members().stream().filter(m -> m.peerUrls().contains(peerUrl)).findFirst();
  }

  /** Adds a member that will join with {@code initial-cluster-state existing}; returns its ID. */
  public long addMember(URI peerUrl) {
    return await(client.getClusterClient().addMember(List.of(peerUrl)), "add the etcd member " + peerUrl)
        .getMember().getId();
  }

  public void removeMember(long id) {
    await(client.getClusterClient().removeMember(id), "remove the etcd member " + Long.toHexString(id));
  }

  /** The current revision, read through the cluster's quorum. */
  public long revision() {
    return await(client.getKVClient().get(ByteSequence.from("health", StandardCharsets.UTF_8)), "read the revision")
        .getHeader().getRevision();
  }

  public Client client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
  }

  private static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not " + what + ": " + rootMessage(e), e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("could not " + what + " within " + CALL_TIMEOUT.toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  static String rootMessage(Throwable error) {
    var cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    var message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
