package dev.slipway.agent.join;

import dev.slipway.pki.KeyAlgorithm;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Asks the cluster for a node certificate as a kubelet does: a fresh ECDSA P-256 key, a PKCS#10
 * request for {@code CN=system:node:<name>, O=system:nodes}, a CertificateSigningRequest object,
 * then the certificate from its status once the controller manager has approved and signed it.
 */
public final class CertificateSigningRequests {

  public static final String KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
  public static final String KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
  public static final List<String> CLIENT_USAGES = List.of("digital signature", "client auth");
  public static final List<String> SERVING_USAGES = List.of("digital signature", "server auth");
  private static final Duration POLL = Duration.ofMillis(500);

  /** A key and the certificate (PEM) the cluster issued for it. */
  public record Issued(PrivateKey key, String certificatePem) {}

  private CertificateSigningRequests() {}

  /**
   * Creates the request and waits (bounded) for its certificate.
   *
   * @param subjectAltNames IP addresses and DNS names (serving certificates); empty for client certificates
   * @throws CertificateRequestFailed when the request is denied, fails, or is not signed in time
   */
  public static Issued request(KubernetesClient client, String nodeName, String signer, List<String> usages,
      List<String> subjectAltNames, Duration timeout) throws InterruptedException {
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    String pem = pkcs10(pair, nodeName, subjectAltNames);
    CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
        .withNewMetadata().withGenerateName("node-csr-" + nodeName + "-").endMetadata()
        .withNewSpec()
        .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
        .withSignerName(signer)
        .withUsages(usages)
        .endSpec()
        .build();
    String name = client.certificates().v1().certificateSigningRequests().resource(csr).create().getMetadata().getName();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      CertificateSigningRequest current = client.certificates().v1().certificateSigningRequests().withName(name).get();
      if (current == null) {
        throw new CertificateRequestFailed("certificate signing request " + name + " was deleted before it was signed");
      }
      Optional<CertificateSigningRequestCondition> refused = conditions(current).stream()
          .filter(c -> "Denied".equals(c.getType()) || "Failed".equals(c.getType())).findFirst();
      if (refused.isPresent()) {
        throw new CertificateRequestFailed("certificate signing request " + name + " for " + signer + " was "
            + refused.get().getType().toLowerCase() + ": " + refused.get().getReason() + " " + refused.get().getMessage());
      }
      String issued = current.getStatus() == null ? null : current.getStatus().getCertificate();
      if (issued != null && !issued.isEmpty()) {
        return new Issued(pair.getPrivate(), new String(Base64.getDecoder().decode(issued), StandardCharsets.US_ASCII));
      }
      Thread.sleep(POLL);
    }
    throw new CertificateRequestFailed("certificate signing request " + name + " for " + signer + " was not signed within "
        + timeout.toSeconds() + " s; is the controller manager running on a master?");
  }

  private static List<CertificateSigningRequestCondition> conditions(CertificateSigningRequest csr) {
    return csr.getStatus() == null || csr.getStatus().getConditions() == null ? List.of() : csr.getStatus().getConditions();
  }

  static String pkcs10(KeyPair pair, String nodeName, List<String> subjectAltNames) {
    var subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "system:nodes")
        .addRDN(BCStyle.CN, "system:node:" + nodeName)
        .build();
    try {
      var builder = new JcaPKCS10CertificationRequestBuilder(subject, pair.getPublic());
      if (!subjectAltNames.isEmpty()) {
        List<GeneralName> names = new ArrayList<>();
        for (String san : subjectAltNames) {
          names.add(isAddress(san) ? new GeneralName(GeneralName.iPAddress, san) : new GeneralName(GeneralName.dNSName, san));
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      }
      PKCS10CertificationRequest request = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      return "-----BEGIN CERTIFICATE REQUEST-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(request.getEncoded())
          + "\n-----END CERTIFICATE REQUEST-----\n";
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a certificate request for node " + nodeName + ": " + e.getMessage(), e);
    }
  }

  private static boolean isAddress(String value) {
    if (!(value.matches("[0-9.]+") || value.contains(":"))) {
      return false;
    }
    try {
      InetAddress.getByName(value);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The cluster did not issue the certificate. */
  public static final class CertificateRequestFailed extends RuntimeException {
    public CertificateRequestFailed(String message) {
      super(message);
    }
  }
}
