package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.pki.ClusterTopology.Member;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CertificateCatalogueTest {

    @ParameterizedTest
    @CsvSource({
            "10.96.0.0/16, 10.96.0.1",
            "10.100.0.0/12, 10.96.0.1",
            "192.168.7.0/24, 192.168.7.1",
            "172.16.0.0/30, 172.16.0.1",
            "fd00:10:96::/108, fd00:10:96:0:0:0:0:1"})
    void kubernetesServiceIpIsTheFirstUsableAddressOfTheServiceCidr(String cidr, String expected) {
        ClusterTopology topology = new ClusterTopology("c", TestTopologies.MASTERS, TestTopologies.MASTERS, cidr,
                "cluster.local", List.of(), KeyAlgorithm.ECDSA_P256, ClusterTopology.DEFAULT_CA_VALIDITY,
                ClusterTopology.DEFAULT_LEAF_VALIDITY);

        assertThat(topology.kubernetesServiceIp()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.96.0.0", "10.96.0.0/33", "10.96.0.0/31", "ten.0.0.0/8", "10.96.0.0/x", "/16"})
    void aServiceCidrThatDoesNotParseIsRefusedWithItsValue(String cidr) {
        assertThatThrownBy(() -> new ClusterTopology("c", List.of(), List.of(), cidr, "cluster.local", List.of(),
                KeyAlgorithm.ECDSA_P256, ClusterTopology.DEFAULT_CA_VALIDITY, ClusterTopology.DEFAULT_LEAF_VALIDITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(cidr);
    }

    @Test
    void catalogueListsKubeadmFileNamesWithCasFirst() {
        CertificateCatalogue catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());

        assertThat(catalogue.certificates()).extracting(CertificateSpec::baseName).containsExactly(
                "ca", "etcd/ca", "front-proxy-ca",
                "etcd/server-m1", "etcd/peer-m1", "etcd/server-m2", "etcd/peer-m2", "etcd/server-m3", "etcd/peer-m3",
                "etcd/healthcheck-client", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client",
                "front-proxy-client", "admin", "controller-manager", "scheduler");
        assertThat(catalogue.serviceAccountKey().privateKeyBaseName()).isEqualTo("sa.key");
        assertThat(catalogue.serviceAccountKey().publicKeyBaseName()).isEqualTo("sa.pub");
    }

    @Test
    void apiServerSansCoverEveryMasterTheServiceIpTheServiceNamesAndExtraSans() {
        CertificateSpec apiserver = CertificateCatalogue.of(TestTopologies.threeMasters()).get("apiserver");

        assertThat(apiserver.subjectAltNames().dnsNames()).containsExactlyInAnyOrder(
                "m1", "m2", "m3", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local", "localhost", "api.lab.example");
        assertThat(apiserver.subjectAltNames().ipAddresses()).containsExactlyInAnyOrder(
                "127.0.10.1", "127.0.10.2", "127.0.10.3", "10.96.0.1", "127.0.0.1", "192.0.2.10");
        assertThat(apiserver.extendedUsages()).containsExactly(ExtendedUsage.SERVER_AUTH);
        assertThat(apiserver.signerName()).isEqualTo(CertificateCatalogue.CLUSTER_CA);
    }

    @Test
    void etcdMemberCertificatesAreForTheMemberNameAddressAndLoopback() {
        ClusterTopology topology = ClusterTopology.withDefaults("c", List.of(new Member("m1", "10.0.0.11")),
                List.of(new Member("e1", "etcd1.example")));
        CertificateCatalogue catalogue = CertificateCatalogue.of(topology);

        for (CertificateSpec spec : List.of(catalogue.etcdServer("e1"), catalogue.etcdPeer("e1"))) {
            assertThat(spec.subjectAltNames().dnsNames()).containsExactlyInAnyOrder("e1", "etcd1.example", "localhost");
            assertThat(spec.subjectAltNames().ipAddresses()).containsExactly("127.0.0.1");
            assertThat(spec.extendedUsages()).containsExactlyInAnyOrder(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH);
            assertThat(spec.signerName()).isEqualTo(CertificateCatalogue.ETCD_CA);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "admin, kubernetes-admin, system:masters, ca",
            "apiserver-kubelet-client, kube-apiserver-kubelet-client, system:masters, ca",
            "apiserver-etcd-client, kube-apiserver-etcd-client, '', etcd-ca",
            "controller-manager, system:kube-controller-manager, '', ca",
            "scheduler, system:kube-scheduler, '', ca",
            "front-proxy-client, front-proxy-client, '', front-proxy-ca",
            "etcd-healthcheck-client, kube-etcd-healthcheck-client, '', etcd-ca"})
    void clientCertificatesHaveTheirSubjectAndCa(String name, String commonName, String organization, String ca) {
        CertificateSpec spec = CertificateCatalogue.of(TestTopologies.threeMasters()).get(name);

        assertThat(spec.commonName()).isEqualTo(commonName);
        assertThat(spec.organizations()).isEqualTo(organization.isEmpty() ? List.of() : List.of(organization));
        assertThat(spec.signerName()).isEqualTo(ca);
        assertThat(spec.extendedUsages()).containsExactly(ExtendedUsage.CLIENT_AUTH);
        assertThat(spec.subjectAltNames().isEmpty()).isTrue();
    }

    @Test
    void anUnknownNameIsAnErrorListingTheKnownOnes() {
        assertThatThrownBy(() -> CertificateCatalogue.of(TestTopologies.threeMasters()).etcdServer("m9"))
                .hasMessageContaining("etcd-server-m9").hasMessageContaining("etcd-server-m1");
    }

    @ParameterizedTest
    @CsvSource({"ecdsa, ECDSA_P256", "rsa, RSA_2048", "RSA-3072, RSA_3072"})
    void keyAlgorithmsAreNamedAsInTheInventory(String name, KeyAlgorithm expected) {
        assertThat(KeyAlgorithm.fromName(name)).isEqualTo(expected);
    }

    @Test
    void anEtcdMemberReceivesItsOwnPairsUnderRoleNames() {
        List<HostFile> files = CertificateCatalogue.of(TestTopologies.threeMasters()).etcdMemberFiles("m2");

        assertThat(files).containsExactly(
                new HostFile("etcd/ca.crt", "etcd/ca.crt", false),
                new HostFile("etcd/server-m2.crt", "etcd/server.crt", false),
                new HostFile("etcd/server-m2.key", "etcd/server.key", true),
                new HostFile("etcd/peer-m2.crt", "etcd/peer.crt", false),
                new HostFile("etcd/peer-m2.key", "etcd/peer.key", true),
                new HostFile("etcd/healthcheck-client.crt", "etcd/healthcheck-client.crt", false),
                new HostFile("etcd/healthcheck-client.key", "etcd/healthcheck-client.key", true));
    }

    @Test
    void aMasterReceivesTheApiServerFilesAndOnlyTheClusterCaKey() {
        List<HostFile> files = CertificateCatalogue.of(TestTopologies.threeMasters()).masterFiles();

        assertThat(files).extracting(HostFile::target).contains("ca.crt", "ca.key", "apiserver.key",
                "apiserver-etcd-client.crt", "sa.key", "sa.pub", "front-proxy-ca.crt")
                .doesNotContain("etcd/ca.key", "front-proxy-ca.key", "admin.key");
        assertThat(files).filteredOn(HostFile::secret).extracting(HostFile::target).allMatch(t -> t.endsWith(".key"));
    }
}
