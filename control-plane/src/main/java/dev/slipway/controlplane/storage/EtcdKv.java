package dev.slipway.controlplane.storage;

import dev.slipway.controlplane.Backoff;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NegotiationType;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * etcd's unary KV calls (range, txn) on a gRPC channel of their own, called blocking from the
 * caller's (virtual) thread. jetcd wraps every call in a new retry policy, a Vert.x future and a hop
 * to its executor, which cost the API server more CPU per create than etcd's own work; watches stay
 * on jetcd. The channel resolves the endpoints with jetcd's name resolver, so each member's TLS
 * certificate is checked against that member's own address. Calls go round robin to the members
 * whose connection is ready and wait for one until their deadline; pings find a member that stopped
 * answering without closing its connections.
 */
final class EtcdKv implements AutoCloseable {

    private static final Backoff READ_RETRY = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    private static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

    /** gRPC's choice for its allocator: chunks of 2 MiB rather than Netty's 4 MiB. */
    private static final int GRPC_MAX_ORDER = 8;

    /**
     * gRPC's own pooled allocator, less the per-thread caches for threads outside Netty's event loops.
     * Calls come from virtual threads, a new one per API request, so each call built and dropped a
     * thread cache to allocate its request frame: 5% of the request handler's CPU samples in
     * ApiServerBenchmark.
     */
    private static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
            PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
            PooledByteBufAllocator.defaultPageSize(), GRPC_MAX_ORDER,
            PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(), false);

    /** Why a call failed; {@code timedOut} when etcd did not answer within the request timeout. */
    static final class Failure extends RuntimeException {
        private final Status status;

        Failure(StatusRuntimeException cause) {
            super(cause.getStatus().getDescription() == null ? cause.getStatus().getCode().toString()
                    : cause.getStatus().getDescription(), cause);
            this.status = cause.getStatus();
        }

        Status status() {
            return status;
        }

        boolean timedOut() {
            return status.getCode() == Status.Code.DEADLINE_EXCEEDED;
        }

        boolean interrupted() {
            return status.getCode() == Status.Code.CANCELLED && getCause().getCause() instanceof InterruptedException;
        }
    }

    private final ManagedChannel channel;
    private final KVGrpc.KVBlockingStub stub;
    private final Duration requestTimeout;

    private EtcdKv(ManagedChannel channel, Duration requestTimeout) {
        this.channel = channel;
        this.stub = KVGrpc.newBlockingStub(channel).withWaitForReady();
        this.requestTimeout = requestTimeout;
    }

    /** {@code target} is jetcd's target for the endpoints (e.g. {@code ip:///10.0.0.1:2379,10.0.0.2:2379}). */
    static EtcdKv overTls(String target, SslContext tls, Duration connectTimeout, Duration requestTimeout) {
        return new EtcdKv(channel(target, connectTimeout).negotiationType(NegotiationType.TLS).sslContext(tls).build(), requestTimeout);
    }

    /** Plain gRPC: for tests on loopback only, as {@link EtcdConnection#plaintext} says. */
    static EtcdKv plaintext(String target, Duration connectTimeout, Duration requestTimeout) {
        return new EtcdKv(channel(target, connectTimeout).usePlaintext().build(), requestTimeout);
    }

    private static NettyChannelBuilder channel(String target, Duration connectTimeout) {
        return NettyChannelBuilder.forTarget(target)
                // One connection per member, calls only on ready ones: pick_first would go back to the first member even
                // when it accepts TCP but answers nothing (a frozen process), and every call would wait there until its deadline.
                .defaultLoadBalancingPolicy("round_robin")
                // A member that vanished without closing its connections (powered off) is noticed by pings, not by TCP.
                // Not while idle: etcd (grpc-keepalive-min-time 5s, no pings without streams) would close the connection.
                .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(false)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .withOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .maxInboundMessageSize(Integer.MAX_VALUE)
                // No transparent retries: their bookkeeping on every call was ~7% of the API server's CPU per create.
                // Reads retry UNAVAILABLE themselves (range); a write refused in the instant a member closes its
                // connection fails as storage unavailable (503), which clients send again.
                .disableRetry();
    }

    /** A read: safe to send again when etcd could not be reached, until the request timeout. */
    RangeResponse range(RangeRequest request) {
        Deadline deadline = Deadline.after(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        for (int failures = 1; ; failures++) {
            Duration delay = READ_RETRY.delay(failures);
            try {
                return stub.withDeadline(deadline).range(request);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || deadline.timeRemaining(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
                    throw new Failure(e);
                }
            }
            pause(delay);
        }
    }

    /** A transaction: sent once, since a failure may come after etcd applied it. */
    TxnResponse txn(TxnRequest request) {
        try {
            return stub.withDeadlineAfter(requestTimeout.toNanos(), TimeUnit.NANOSECONDS).txn(request);
        } catch (StatusRuntimeException e) {
            throw new Failure(e);
        }
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException());
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
