package dev.slipway.agent.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ApiClientsTest {

  @Test
  void aFailureNamesTheCausesFabric8WrapsBehindItsGenericMessage() {
    var failure = new KubernetesClientException("An error has occurred.",
        new IOException("request failed", new ConnectException("Connection refused")));

    assertThat(ApiClients.describe(failure))
        .isEqualTo("An error has occurred.: IOException request failed: ConnectException Connection refused");
  }
}
