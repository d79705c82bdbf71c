package dev.slipway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.ApiServerSection;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.testing.FreePorts;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import dev.slipway.controlplane.storage.SecretEncryption;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Component test: a master's agent runs etcd and, once etcd answers, the control plane's API server in-process. */
class AgentApiServerTest {

  @TempDir Path base;
  private Agent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void masterAgentServesTheApiOverTlsAndStopsItOnClose() throws Exception {
    TestPki etcdCa = TestPki.create(base.resolve("etcd-ca"), "etcd-ca");
    TestPki clusterCa = TestPki.create(base.resolve("cluster-ca"), "cluster-ca");
    AgentConfig member = TestMembers.cluster(base, etcdCa, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1").getFirst();
    AgentPaths paths = member.paths();
    EtcdMemberConfig etcd = member.etcd().orElseThrow();
    ApiServerSection standard = ApiServerSection.standard(paths, "127.0.0.1", List.of(etcd.clientUrl()), "10.96.0.0/16");
    ApiServerSection section = new ApiServerSection(standard.bindAddress(), FreePorts.on("127.0.0.1"), standard.servingCert(),
        standard.servingKey(), standard.clientCa(), standard.etcdEndpoints(), standard.etcdCaCert(), standard.etcdClientCert(),
        standard.etcdClientKey(), standard.encryptionKeyFile(), standard.serviceAccountPublicKey(), standard.serviceCidr(),
        standard.nodePortFirst(), standard.nodePortLast());
    TestPki.install(clusterCa.issue("apiserver", "127.0.0.1"), paths.pkiDir(), "apiserver");
    TestPki.install(etcdCa.issue("apiserver-etcd-client"), paths.pkiDir(), "apiserver-etcd-client");
    Files.copy(clusterCa.caCert(), paths.pkiDir().resolve("ca.crt"));
    clusterCa.keyPair(paths.pkiDir().resolve("sa.pub"));
    SecretEncryption.generateKeyFile(section.encryptionKeyFile(), "key1");
    member.withApiServer(section).write(paths.configFile());

    agent = Agent.start(paths);

    URI url = await().atMost(Duration.ofSeconds(90)).until(agent::apiServerUrl, java.util.Optional::isPresent).orElseThrow();
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(clusterCa.caCert())).build();
    HttpResponse<String> version = https.send(HttpRequest.newBuilder(url.resolve("/version")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(version.statusCode()).isEqualTo(200);
    assertThat(version.body()).contains("gitVersion");

    agent.close();

    assertThatThrownBy(() -> https.send(HttpRequest.newBuilder(url.resolve("/version")).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  private static SSLContext trusting(Path caPem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
