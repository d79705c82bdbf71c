package dev.slipway.provisioner.inventory;

import dev.slipway.provisioner.inventory.InventoryDocument.HostEntry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a bound {@link InventoryDocument} and builds the {@link Inventory}. Every default of the
 * inventory contract is applied here and nowhere else.
 */
final class InventoryValidator {
  static final String API_VERSION = "slipway.dev/v1";
  static final String KIND = "Cluster";
  static final String DEFAULT_SSH_USER = "root";
  static final int DEFAULT_SSH_PORT = 22;
  static final String DEFAULT_IDENTITY_FILE = "~/.ssh/id_ed25519";
  static final String DEFAULT_KNOWN_HOSTS_FILE = "~/.ssh/known_hosts";
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final String DEFAULT_POD_CIDR = "10.244.0.0/16";
  static final String DEFAULT_SERVICE_CIDR = "10.96.0.0/16";
  static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
  static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofHours(6);
  /** Kubernetes' default: pods of an unreachable node are evicted after five minutes. */
  static final Duration DEFAULT_POD_EVICTION_TIMEOUT = Duration.ofMinutes(5);
  static final int DEFAULT_SNAPSHOTS_KEPT = 10;
  static final Duration DEFAULT_CA_VALIDITY = Duration.ofHours(87600);
  static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofHours(8760);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final String DURATION_HINT = "; expected a Go-style duration such as 10s, 6h or 1h30m";

  private final Path file;
  private final Path folder;
  private final InventoryReader.Problems problems;
  private final List<String> notes = new ArrayList<>();
  private String cluster = "local";

  InventoryValidator(Path file, InventoryReader.Problems problems) {
    this.file = file;
    this.folder = file.getParent();
    this.problems = problems;
  }

  CheckedInventory validate(InventoryDocument doc) {
    cluster = doc.metadata() == null || doc.metadata().name() == null ? "local" : doc.metadata().name();
    var root = FieldPath.ROOT;
    checkHeader(doc);
    var spec = doc.spec() == null
        ? new InventoryDocument.Spec(null, null, null, null, null, null, null, null, null) : doc.spec();
    if (doc.spec() == null) {
      problems.add(root.field("spec"), "missing; an inventory needs spec.hosts");
    }
    var at = root.field("spec");
    var provider = choice(at.field("provider"), spec.provider(), "ssh", Provider.class);
    if (provider.isEmpty()) {
      throw problems.all(); // every host check depends on the provider
    }
    var hosts = hosts(at, spec, provider.orElse(Provider.SSH));
    var network = network(at.field("network"), spec.network());
    var sans = extraSans(at.field("apiServer"), spec.apiServer());
    var eviction = duration(at.field("controllerManager").field("podEvictionTimeout"),
        spec.controllerManager() == null ? null : spec.controllerManager().podEvictionTimeout(), DEFAULT_POD_EVICTION_TIMEOUT);
    var etcd = etcd(at.field("etcd"), spec.etcd());
    var pki = pki(at.field("pki"), spec.pki());
    var runtime = choice(at.field("runtime").field("kind"),
        spec.runtime() == null ? null : spec.runtime().kind(), "containerd", RuntimeKind.class);
    if (problems.any()) {
      throw problems.all();
    }
    var inventory = new Inventory(file, doc.metadata().name(), provider.orElseThrow(), hosts, network.orElseThrow(),
        sans, eviction.orElseThrow(), etcd.orElseThrow(), pki.orElseThrow(), runtime.orElseThrow());
    return new CheckedInventory(inventory, notes);
  }

  private void checkHeader(InventoryDocument doc) {
    var root = FieldPath.ROOT;
    if (doc.apiVersion() == null) {
      problems.add(root.field("apiVersion"), "missing; expected \"" + API_VERSION + "\"");
    } else if (!doc.apiVersion().equals(API_VERSION)) {
      problems.add(root.field("apiVersion"), "unsupported \"" + doc.apiVersion() + "\"; expected \"" + API_VERSION + "\"");
    }
    if (doc.kind() == null) {
      problems.add(root.field("kind"), "missing; expected \"" + KIND + "\"");
    } else if (!doc.kind().equals(KIND)) {
      problems.add(root.field("kind"), "unsupported \"" + doc.kind() + "\"; expected \"" + KIND + "\"");
    }
    var name = root.field("metadata").field("name");
    if (doc.metadata() == null || doc.metadata().name() == null) {
      problems.add(name, "missing; give the cluster a name (lower-case letters, digits and '-')");
    } else if (!DNS_LABEL.matcher(doc.metadata().name()).matches()) {
      problems.add(name, "\"" + doc.metadata().name() + "\" is not a valid name" + LABEL_RULE);
    }
  }

  private static final String LABEL_RULE =
      " (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)";

  private List<Host> hosts(FieldPath spec, InventoryDocument.Spec doc, Provider provider) {
    var ssh = sshDefaults(spec.field("ssh"), doc.ssh(), provider);
    var at = spec.field("hosts");
    if (doc.hosts() == null || doc.hosts().isEmpty()) {
      problems.add(at, "no hosts; list at least one host with the master role");
      return List.of();
    }
    var hosts = new ArrayList<Host>();
    var names = new HashMap<String, Integer>();
    var addresses = new HashMap<String, Integer>();
    for (int i = 0; i < doc.hosts().size(); i++) {
      var entry = doc.hosts().get(i);
      var hostAt = at.index(i);
      if (entry == null) {
        problems.add(hostAt, "empty host entry; give name, address and roles");
        continue;
      }
      var name = hostName(hostAt, entry, names, i);
      var address = hostAddress(hostAt, entry, provider, addresses, doc.hosts());
      var roles = roles(hostAt.field("roles"), entry.roles());
      var taints = taints(hostAt.field("taints"), entry.taints());
      var access = access(hostAt, entry, provider, ssh);
      if (name.isPresent() && address.isPresent() && roles.isPresent() && access.isPresent()) {
        hosts.add(new Host(name.get(), address.get(), roles.get(), labels(entry.labels()), taints, access.get()));
      }
    }
    if (!problems.any()) {
      checkMembership(at, hosts);
    }
    return hosts;
  }

  private Optional<String> hostName(FieldPath hostAt, HostEntry entry, Map<String, Integer> seen, int index) {
    var at = hostAt.field("name");
    if (entry.name() == null) {
      problems.add(hostAt, "host has no name");
      return Optional.empty();
    }
    if (!DNS_LABEL.matcher(entry.name()).matches()) {
      problems.add(at, "\"" + entry.name() + "\" is not a valid host name" + LABEL_RULE);
      return Optional.empty();
    }
    var first = seen.putIfAbsent(entry.name(), index);
    if (first != null) {
      problems.add(at, "duplicate host name \"" + entry.name() + "\" (first used by spec.hosts[" + first + "])");
      return Optional.empty();
    }
    return Optional.of(entry.name());
  }

  private Optional<String> hostAddress(FieldPath hostAt, HostEntry entry, Provider provider,
                                       Map<String, Integer> seen, List<HostEntry> all) {
    var at = hostAt.field("address");
    var address = entry.address();
    if (address == null) {
      problems.add(hostAt, "host \"" + entry.name() + "\" has no address");
      return Optional.empty();
    }
    var literal = IpAddresses.parseLiteral(address);
    if (literal.isEmpty() && (IpAddresses.looksLikeIpv4(address) || !DNS_NAME.matcher(address).matches())) {
      problems.add(at, "\"" + address + "\" is neither an IP address nor a DNS name");
      return Optional.empty();
    }
    if (provider == Provider.LOCAL && (literal.isEmpty() || !literal.get().isLoopbackAddress()
        || literal.get().getAddress().length != 4)) {
      problems.add(at, "\"" + address + "\" is not a loopback address; the local provider binds each host to its own 127.x.y.z");
      return Optional.empty();
    }
    var key = literal.map(a -> a.getHostAddress()).orElse(address);
    var first = seen.putIfAbsent(key, seen.size());
    if (first != null) {
      var other = all.stream().filter(h -> h != null && Objects.equals(h.address(), address)).findFirst()
          .map(HostEntry::name).orElse("another host");
      problems.add(at, "duplicate address \"" + address + "\" (also the address of host \"" + other + "\")");
      return Optional.empty();
    }
    return Optional.of(address);
  }

  /** A label written {@code key:} with no value has the empty value, as in Kubernetes. */
  private static Map<String, String> labels(Map<String, String> labels) {
    var copy = new LinkedHashMap<String, String>();
    if (labels != null) {
      labels.forEach((k, v) -> copy.put(k, v == null ? "" : v));
    }
    return copy;
  }

  private Optional<EnumSet<Role>> roles(FieldPath at, List<String> words) {
    if (words == null || words.isEmpty()) {
      problems.add(at, "no roles; give at least one of " + String.join(", ", Role.words()));
      return Optional.empty();
    }
    var roles = EnumSet.noneOf(Role.class);
    boolean ok = true;
    for (int i = 0; i < words.size(); i++) {
      var word = String.valueOf(words.get(i));
      var role = Role.fromWord(word);
      if (role.isEmpty()) {
        problems.add(at.index(i), "unknown role \"" + word + "\"" + NearestWord.hint(word, Role.words())
            + "; roles are " + String.join(", ", Role.words()));
        ok = false;
      } else {
        roles.add(role.get());
      }
    }
    if (roles.contains(Role.MASTER)) {
      roles.add(Role.ETCD); // a master always runs an etcd member
    }
    return ok ? Optional.of(roles) : Optional.empty();
  }

  private List<Taint> taints(FieldPath at, List<String> texts) {
    if (texts == null) {
      return List.of();
    }
    var taints = new ArrayList<Taint>();
    for (int i = 0; i < texts.size(); i++) {
      var text = texts.get(i);
      var taint = text == null ? Optional.<Taint>empty() : Taint.parse(text);
      if (taint.isEmpty()) {
        problems.add(at.index(i), "bad taint \"" + text
            + "\"; expected key=value:Effect with Effect one of NoSchedule, PreferNoSchedule, NoExecute");
      } else {
        taints.add(taint.get());
      }
    }
    return taints;
  }

  private Optional<HostAccess> access(FieldPath hostAt, HostEntry entry, Provider provider, Optional<HostAccess.Ssh> ssh) {
    return switch (provider) {
      case LOCAL -> {
        if (entry.rootDir() == null) {
          problems.add(hostAt, "host \"" + entry.name() + "\" has no rootDir; the local provider keeps each host in its own"
              + " folder (e.g. rootDir: ~/.slipway/" + cluster + "/" + entry.name() + ")");
          yield Optional.empty();
        }
        yield Optional.of(new HostAccess.Local(resolve(entry.rootDir())));
      }
      case SSH -> {
        if (entry.rootDir() != null) {
          problems.add(hostAt.field("rootDir"), "rootDir is only for the local provider (spec.provider: local)");
        }
        var port = entry.port() == null ? ssh.map(HostAccess.Ssh::port) : port(hostAt.field("port"), entry.port());
        yield ssh.flatMap(s -> port.map(p -> new HostAccess.Ssh(entry.user() == null ? s.user() : entry.user(), p,
            s.identityFile(), s.knownHostsFile(), s.hostKeyCheck(), s.connectTimeout())));
      }
    };
  }

  private Optional<HostAccess.Ssh> sshDefaults(FieldPath at, InventoryDocument.Ssh doc, Provider provider) {
    var ssh = doc == null ? new InventoryDocument.Ssh(null, null, null, null, null, null) : doc;
    var port = ssh.port() == null ? Optional.of(DEFAULT_SSH_PORT) : port(at.field("port"), ssh.port());
    var policy = choice(at.field("hostKeyPolicy"), ssh.hostKeyPolicy(), "strict", HostKeyCheck.class);
    var timeout = duration(at.field("connectTimeout"), ssh.connectTimeout(), DEFAULT_CONNECT_TIMEOUT);
    var identity = resolve(Objects.requireNonNullElse(ssh.identityFile(), DEFAULT_IDENTITY_FILE));
    if (provider == Provider.SSH && !Files.isRegularFile(identity)) {
      var given = ssh.identityFile() == null ? " (the default; set spec.ssh.identityFile)" : "";
      problems.add(ssh.identityFile() == null ? at : at.field("identityFile"),
          "identity file " + identity + " does not exist" + given);
    }
    var knownHosts = resolve(Objects.requireNonNullElse(ssh.knownHostsFile(), DEFAULT_KNOWN_HOSTS_FILE));
    if (port.isEmpty() || policy.isEmpty() || timeout.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HostAccess.Ssh(Objects.requireNonNullElse(ssh.user(), DEFAULT_SSH_USER), port.get(),
        identity, knownHosts, policy.get(), timeout.get()));
  }

  private Optional<Integer> port(FieldPath at, int port) {
    if (port < 1 || port > 65535) {
      problems.add(at, "port " + port + " is out of range 1-65535");
      return Optional.empty();
    }
    return Optional.of(port);
  }

  /** Etcd needs a majority: odd member counts only, one member allowed with a note. */
  private void checkMembership(FieldPath at, List<Host> hosts) {
    if (hosts.stream().noneMatch(h -> h.has(Role.MASTER))) {
      problems.add(at, "no host has the master role; give it to at least one host (three for high availability)");
      return;
    }
    var members = hosts.stream().filter(h -> h.has(Role.ETCD)).map(Host::name).toList();
    int n = members.size();
    var list = n + " etcd member" + (n == 1 ? "" : "s") + " (" + String.join(", ", members) + ")";
    if (n == 1) {
      notes.add(list + ": the cluster is not highly available; give the etcd role to two more hosts"
          + " so that etcd survives the loss of one");
    } else if (n == 2) {
      problems.add(at, list + ": two members tolerate no loss, since etcd needs a majority (2 of 2) to work;"
          + " give the etcd role to a third host (e.g. a worker: roles: [worker, etcd]) to survive one failure");
    } else if (n % 2 == 0) {
      problems.add(at, list + ": an even count tolerates no more failures than " + (n - 1) + " members;"
          + " give the etcd role to one more host (e.g. a worker) or take it from one non-master");
    }
  }

  private Optional<Network> network(FieldPath at, InventoryDocument.NetworkEntry doc) {
    var net = doc == null ? new InventoryDocument.NetworkEntry(null, null, null) : doc;
    var pods = cidr(at.field("podCIDR"), Objects.requireNonNullElse(net.podCIDR(), DEFAULT_POD_CIDR));
    var services = cidr(at.field("serviceCIDR"), Objects.requireNonNullElse(net.serviceCIDR(), DEFAULT_SERVICE_CIDR));
    var domain = Objects.requireNonNullElse(net.clusterDomain(), DEFAULT_CLUSTER_DOMAIN);
    if (!DNS_NAME.matcher(domain).matches()) {
      problems.add(at.field("clusterDomain"), "\"" + domain + "\" is not a valid DNS domain");
      return Optional.empty();
    }
    if (pods.isEmpty() || services.isEmpty()) {
      return Optional.empty();
    }
    if (pods.get().overlaps(services.get())) {
      problems.add(net.serviceCIDR() == null ? at.field("podCIDR") : at.field("serviceCIDR"),
          "serviceCIDR " + services.get() + " overlaps podCIDR " + pods.get() + "; pods and services need separate ranges");
      return Optional.empty();
    }
    return Optional.of(new Network(pods.get(), services.get(), domain));
  }

  private Optional<Cidr> cidr(FieldPath at, String text) {
    var cidr = Cidr.parse(text);
    if (cidr.isEmpty()) {
      problems.add(at, "bad CIDR \"" + text + "\"; expected an address and a prefix length such as 10.244.0.0/16");
    }
    return cidr;
  }

  private List<String> extraSans(FieldPath at, InventoryDocument.ApiServer doc) {
    if (doc == null || doc.extraSANs() == null) {
      return List.of();
    }
    var sans = doc.extraSANs();
    for (int i = 0; i < sans.size(); i++) {
      var san = sans.get(i);
      if (san == null || (IpAddresses.parseLiteral(san).isEmpty() && !DNS_NAME.matcher(san.replaceFirst("^\\*\\.", "")).matches())) {
        problems.add(at.field("extraSANs").index(i), "\"" + san + "\" is neither an IP address nor a DNS name");
      }
    }
    return sans;
  }

  private Optional<EtcdSpec> etcd(FieldPath at, InventoryDocument.Etcd doc) {
    var etcd = doc == null ? new InventoryDocument.Etcd(null, null, null) : doc;
    EtcdSpec.EtcdBinary binary = new EtcdSpec.EtcdBinary.OnPath();
    if (etcd.binary() != null) {
      var path = resolve(etcd.binary());
      if (!Files.isRegularFile(path)) {
        problems.add(at.field("binary"), "etcd binary " + path + " does not exist");
      }
      binary = new EtcdSpec.EtcdBinary.File(path);
    } else if (etcd.download() != null) {
      binary = download(at.field("download"), etcd.download()).orElse(binary);
    }
    var snapshots = etcd.snapshots() == null ? new InventoryDocument.Snapshots(null, null) : etcd.snapshots();
    var interval = duration(at.field("snapshots").field("interval"), snapshots.interval(), DEFAULT_SNAPSHOT_INTERVAL);
    int keep = Objects.requireNonNullElse(snapshots.keep(), DEFAULT_SNAPSHOTS_KEPT);
    if (keep < 1) {
      problems.add(at.field("snapshots").field("keep"), "keep must be at least 1, found " + keep);
    }
    var chosen = binary;
    return interval.map(i -> new EtcdSpec(chosen, i, keep));
  }

  /** url and sha256 go together: a download without its digest cannot be trusted. */
  private Optional<EtcdSpec.EtcdBinary> download(FieldPath at, InventoryDocument.Download doc) {
    if (doc.url() == null || doc.sha256() == null) {
      problems.add(at, "url and sha256 go together; " + (doc.url() == null ? "url" : "sha256") + " is missing"
          + " (e.g. download: {url: https://example.org/etcd, sha256: <64 hex digits>})");
      return Optional.empty();
    }
    var url = httpUrl(doc.url());
    if (url.isEmpty()) {
      problems.add(at.field("url"), "bad URL \"" + doc.url() + "\"; expected an http:// or https:// URL with a host");
    }
    if (!SHA256_HEX.matcher(doc.sha256()).matches()) {
      problems.add(at.field("sha256"), "bad sha256 \"" + doc.sha256() + "\"; expected 64 hex digits, as sha256sum prints");
      return Optional.empty();
    }
    var sha256 = doc.sha256().toLowerCase(Locale.ROOT);
    return url.map(u -> new EtcdSpec.EtcdBinary.OnPathElseDownload(u, sha256));
  }

  private static Optional<URI> httpUrl(String text) {
    try {
      var uri = new URI(text);
      var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private Optional<PkiSpec> pki(FieldPath at, InventoryDocument.Pki doc) {
    var pki = doc == null ? new InventoryDocument.Pki(null, null, null) : doc;
    var algorithm = choice(at.field("keyAlgorithm"), pki.keyAlgorithm(), "ecdsa", KeyAlgorithm.class);
    var ca = duration(at.field("caValidity"), pki.caValidity(), DEFAULT_CA_VALIDITY);
    var leaf = duration(at.field("leafValidity"), pki.leafValidity(), DEFAULT_LEAF_VALIDITY);
    if (ca.isPresent() && leaf.isPresent() && leaf.get().compareTo(ca.get()) > 0) {
      problems.add(at.field("leafValidity"), "leafValidity is longer than caValidity; a certificate cannot outlive its CA");
      return Optional.empty();
    }
    return algorithm.flatMap(a -> ca.flatMap(c -> leaf.map(l -> new PkiSpec(a, c, l))));
  }

  private Optional<Duration> duration(FieldPath at, String text, Duration fallback) {
    if (text == null) {
      return Optional.of(fallback);
    }
    var parsed = GoDuration.parse(text);
    if (parsed.isEmpty() || parsed.get().isZero()) {
      problems.add(at, "bad duration \"" + text + "\"" + DURATION_HINT);
      return Optional.empty();
    }
    return parsed;
  }

  /** An enum value from its inventory spelling: lower-case, '-' for '_'. */
  private <E extends Enum<E>> Optional<E> choice(FieldPath at, String text, String fallback, Class<E> type) {
    var words = new LinkedHashMap<String, E>();
    for (var constant : type.getEnumConstants()) {
      words.put(constant.name().toLowerCase().replace('_', '-'), constant);
    }
    var word = text == null ? fallback : text;
    var chosen = words.get(word);
    if (chosen == null) {
      problems.add(at, "unknown value \"" + word + "\"" + NearestWord.hint(word, words.keySet())
          + "; expected one of " + String.join(", ", words.keySet()));
    }
    return Optional.ofNullable(chosen);
  }

  /** {@code ~} is the user's home; relative paths resolve against the inventory's folder. */
  private Path resolve(String path) {
    var home = Path.of(System.getProperty("user.home"));
    if (path.equals("~")) {
      return home;
    }
    if (path.startsWith("~/")) {
      return home.resolve(path.substring(2)).normalize();
    }
    return folder.resolve(path).normalize();
  }

}
