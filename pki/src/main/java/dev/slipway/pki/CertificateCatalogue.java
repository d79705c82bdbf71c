package dev.slipway.pki;

import static dev.slipway.pki.ExtendedUsage.CLIENT_AUTH;
import static dev.slipway.pki.ExtendedUsage.SERVER_AUTH;

import dev.slipway.pki.CertificateSpec.Issuer;
import dev.slipway.pki.ClusterTopology.Member;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one list of every certificate a cluster has (after kubeadm's certlist.go). Issuance,
 * verification, expiry checks, the {@code certs} table and rotation all derive from it.
 * CAs come first, each before the leaves it signs.
 *
 * @param keyAlgorithm the kind of key made for entries that have none yet
 */
public record CertificateCatalogue(List<CertificateSpec> certificates, ServiceAccountKeySpec serviceAccountKey,
                                   KeyAlgorithm keyAlgorithm) {

    public static final String CLUSTER_CA = "ca";
    public static final String ETCD_CA = "etcd-ca";
    public static final String FRONT_PROXY_CA = "front-proxy-ca";
    public static final String SYSTEM_MASTERS = "system:masters";

    public CertificateCatalogue {
        certificates = List.copyOf(certificates);
    }

    public static CertificateCatalogue of(ClusterTopology topology) {
        Entries entries = new Entries(topology);
        entries.ca(CLUSTER_CA, "ca", "kubernetes");
        entries.ca(ETCD_CA, "etcd/ca", "etcd-ca");
        entries.ca(FRONT_PROXY_CA, "front-proxy-ca", "front-proxy-ca");

        for (Member member : topology.etcdMembers()) {
            SubjectAltNames sans = SubjectAltNames.of(List.of(member.name(), member.address(), "localhost", "127.0.0.1"));
            entries.leaf("etcd-server-" + member.name(), "etcd/server-" + member.name(), ETCD_CA,
                    member.name(), List.of(), EnumSet.of(SERVER_AUTH, CLIENT_AUTH), sans);
            entries.leaf("etcd-peer-" + member.name(), "etcd/peer-" + member.name(), ETCD_CA,
                    member.name(), List.of(), EnumSet.of(SERVER_AUTH, CLIENT_AUTH), sans);
        }
        entries.client("etcd-healthcheck-client", "etcd/healthcheck-client", ETCD_CA,
                "kube-etcd-healthcheck-client", List.of());
        entries.leaf("apiserver", "apiserver", CLUSTER_CA, "kube-apiserver", List.of(),
                EnumSet.of(SERVER_AUTH), apiServerSans(topology));
        entries.client("apiserver-etcd-client", "apiserver-etcd-client", ETCD_CA,
                "kube-apiserver-etcd-client", List.of());
        entries.client("apiserver-kubelet-client", "apiserver-kubelet-client", CLUSTER_CA,
                "kube-apiserver-kubelet-client", List.of(SYSTEM_MASTERS));
        entries.client("front-proxy-client", "front-proxy-client", FRONT_PROXY_CA,
                "front-proxy-client", List.of());
        entries.client("admin", "admin", CLUSTER_CA, "kubernetes-admin", List.of(SYSTEM_MASTERS));
        entries.client("controller-manager", "controller-manager", CLUSTER_CA,
                "system:kube-controller-manager", List.of());
        entries.client("scheduler", "scheduler", CLUSTER_CA, "system:kube-scheduler", List.of());
        return new CertificateCatalogue(entries.list, ServiceAccountKeySpec.DEFAULT, topology.keyAlgorithm());
    }

    private static SubjectAltNames apiServerSans(ClusterTopology topology) {
        List<String> sans = new ArrayList<>();
        for (Member master : topology.masters()) {
            sans.add(master.name());
            sans.add(master.address());
        }
        sans.add(topology.kubernetesServiceIp());
        sans.add("kubernetes");
        sans.add("kubernetes.default");
        sans.add("kubernetes.default.svc");
        sans.add("kubernetes.default.svc." + topology.clusterDomain());
        sans.add("localhost");
        sans.add("127.0.0.1");
        sans.addAll(topology.extraApiServerSans());
        return SubjectAltNames.of(sans);
    }

    public Optional<CertificateSpec> find(String name) {
        return certificates.stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    /** The entry with this name; an unknown name is a programming error. */
    public CertificateSpec get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "no certificate named '" + name + "' in the catalogue; known: "
                        + certificates.stream().map(CertificateSpec::name).toList()));
    }

    public List<CertificateSpec> authorities() {
        return certificates.stream().filter(CertificateSpec::isCertificateAuthority).toList();
    }

    public List<CertificateSpec> issuedBy(String caName) {
        return certificates.stream()
                .filter(spec -> !spec.isCertificateAuthority() && spec.signerName().equals(caName))
                .toList();
    }

    /** The serving certificate of one etcd member (shipped to that host as {@code etcd/server.crt}). */
    public CertificateSpec etcdServer(String memberName) {
        return get("etcd-server-" + memberName);
    }

    /** The peer certificate of one etcd member (shipped to that host as {@code etcd/peer.crt}). */
    public CertificateSpec etcdPeer(String memberName) {
        return get("etcd-peer-" + memberName);
    }

    /** What an etcd member's host receives: the etcd CA certificate, its own server and peer pairs, the health-check client. */
    public List<HostFile> etcdMemberFiles(String memberName) {
        List<HostFile> files = new ArrayList<>();
        files.add(HostFile.same(get(ETCD_CA).baseName() + ".crt", false));
        pair(files, etcdServer(memberName), "etcd/server");
        pair(files, etcdPeer(memberName), "etcd/peer");
        pair(files, get("etcd-healthcheck-client"), "etcd/healthcheck-client");
        return List.copyOf(files);
    }

    /**
     * What a master's host receives besides its etcd files: the cluster CA pair (the controller manager
     * signs kubelet CSRs), the API server's certificates, the front-proxy pair, the service-account key
     * pair and the controller-manager and scheduler client pairs.
     */
    public List<HostFile> masterFiles() {
        List<HostFile> files = new ArrayList<>();
        pair(files, get(CLUSTER_CA), get(CLUSTER_CA).baseName());
        files.add(HostFile.same(get(ETCD_CA).baseName() + ".crt", false));
        files.add(HostFile.same(get(FRONT_PROXY_CA).baseName() + ".crt", false));
        for (String name : List.of("apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "front-proxy-client",
                "controller-manager", "scheduler")) {
            pair(files, get(name), get(name).baseName());
        }
        files.add(HostFile.same(serviceAccountKey.privateKeyBaseName(), true));
        files.add(HostFile.same(serviceAccountKey.publicKeyBaseName(), false));
        return List.copyOf(files);
    }

    private static void pair(List<HostFile> files, CertificateSpec spec, String targetBaseName) {
        files.add(new HostFile(spec.baseName() + ".crt", targetBaseName + ".crt", false));
        files.add(new HostFile(spec.baseName() + ".key", targetBaseName + ".key", true));
    }

    private static final class Entries {
        private final ClusterTopology topology;
        private final List<CertificateSpec> list = new ArrayList<>();

        Entries(ClusterTopology topology) {
            this.topology = topology;
        }

        void ca(String name, String baseName, String commonName) {
            list.add(new CertificateSpec(name, baseName, new Issuer.SelfSigned(), commonName, List.of(),
                    EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN), Set.of(),
                    SubjectAltNames.NONE, topology.caValidity()));
        }

        void client(String name, String baseName, String caName, String commonName, List<String> organizations) {
            leaf(name, baseName, caName, commonName, organizations, EnumSet.of(CLIENT_AUTH), SubjectAltNames.NONE);
        }

        void leaf(String name, String baseName, String caName, String commonName, List<String> organizations,
                  Set<ExtendedUsage> usages, SubjectAltNames sans) {
            // Key encipherment only means something for RSA key transport; ECDSA keys only sign.
            Set<KeyUsage> keyUsages = topology.keyAlgorithm().isRsa()
                    ? EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT)
                    : EnumSet.of(KeyUsage.DIGITAL_SIGNATURE);
            list.add(new CertificateSpec(name, baseName, new Issuer.SignedBy(caName), commonName, organizations,
                    keyUsages, usages, sans, topology.leafValidity()));
        }
    }
}
