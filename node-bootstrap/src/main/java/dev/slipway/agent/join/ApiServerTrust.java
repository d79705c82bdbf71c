package dev.slipway.agent.join;

import dev.slipway.pki.TrustedCertificates;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts an API server whose certificate chains to the cluster CA and names one of the masters.
 * The node reaches the API through its own load balancer on a loopback address, which no API
 * server certificate can name for every host, so the name checked is the master's, not the
 * address dialled.
 */
public final class ApiServerTrust extends X509ExtendedTrustManager {

  private final X509TrustManager chain;
  private final Set<String> masterNames;

  private ApiServerTrust(X509TrustManager chain, Set<String> masterNames) {
    this.chain = chain;
    this.masterNames = masterNames;
  }

  public static ApiServerTrust of(TrustedCertificates clusterCa, List<URI> apiServers) {
    X509TrustManager chain = null;
    for (TrustManager manager : clusterCa.trustManagerFactory().getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        chain = x509;
      }
    }
    if (chain == null) {
      throw new IllegalStateException("no X.509 trust manager for the cluster CA");
    }
    return new ApiServerTrust(chain, apiServers.stream().map(URI::getHost).map(ApiServerTrust::canonical).collect(Collectors.toUnmodifiableSet()));
  }

  public TrustManager[] asArray() {
    return new TrustManager[] {this};
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
    chain.checkServerTrusted(certificates, authType);
    Set<String> names = subjectAltNames(certificates[0]);
    if (masterNames.stream().noneMatch(names::contains)) {
      throw new CertificateException("the API server certificate names " + names + ", none of the masters " + masterNames);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(certificates, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine) throws CertificateException {
    checkServerTrusted(certificates, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
    throw new CertificateException("the kubelet's API client does not accept clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket) throws CertificateException {
    checkClientTrusted(certificates, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine) throws CertificateException {
    checkClientTrusted(certificates, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }

  static Set<String> subjectAltNames(X509Certificate certificate) throws CertificateException {
    try {
      Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
      if (entries == null) {
        return Set.of();
      }
      return entries.stream().filter(e -> e.get(0) instanceof Integer type && (type == 2 || type == 7))
          .map(e -> canonical(e.get(1).toString())).collect(Collectors.toUnmodifiableSet());
    } catch (CertificateParsingException e) {
      throw new CertificateException("unreadable subject alternative names: " + e.getMessage(), e);
    }
  }

  /** IP addresses in one spelling, names in lower case. */
  static String canonical(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.matches("[0-9.]+") || bare.contains(":")) {
      try {
        return InetAddress.getByName(bare).getHostAddress();
      } catch (UnknownHostException e) {
        return bare;
      }
    }
    return bare.toLowerCase(Locale.ROOT);
  }

}
